using System.Text.Json.Serialization;

namespace PSContainer.Oci;

/// <summary>
/// Source-generated JSON for the runtime-spec models (config.json, the `state` output). Nulls are
/// omitted because the spec's optional fields are "absent", not null; names are the spec's own.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false, ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(Spec))]
[JsonSerializable(typeof(OciProcess))]
[JsonSerializable(typeof(State))]
[JsonSerializable(typeof(LinuxResources))]
[JsonSerializable(typeof(LinuxSeccomp))]
public sealed partial class OciJsonContext : JsonSerializerContext
{
}
