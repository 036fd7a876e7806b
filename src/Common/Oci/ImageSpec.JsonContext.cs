using System.Text.Json.Serialization;

namespace PSContainer.Oci;

/// <summary>
/// Source-generated JSON for the image-spec models. Nulls are omitted, as the spec's optional
/// fields are "absent", not null, in what registries and other tools expect.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Descriptor))]
[JsonSerializable(typeof(ImageManifest))]
[JsonSerializable(typeof(ImageIndex))]
[JsonSerializable(typeof(OciImage))]
[JsonSerializable(typeof(OciLayoutFile))]
[JsonSerializable(typeof(ManifestProbe))]
public sealed partial class ImageJsonContext : JsonSerializerContext
{
}

/// <summary>
/// Just enough of any manifest-like document to learn what it is: the media type and, for
/// documents that omit it, whether it has "manifests" (an index) or "config" (a manifest).
/// </summary>
public sealed class ManifestProbe
{
    [JsonPropertyName("schemaVersion")] public int SchemaVersion { get; set; }
    [JsonPropertyName("mediaType")] public string? MediaType { get; set; }
    [JsonPropertyName("manifests")] public List<Descriptor>? Manifests { get; set; }
    [JsonPropertyName("config")] public Descriptor? Config { get; set; }
}
