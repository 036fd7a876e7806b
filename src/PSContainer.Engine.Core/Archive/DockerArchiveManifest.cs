using System.Text.Json.Serialization;

namespace PSContainer.Engine.Core.Archive;

/// <summary>One entry of a docker-archive's manifest.json (what <c>docker save</c> writes).</summary>
public sealed class DockerArchiveManifestEntry
{
    /// <summary>Path of the config json inside the archive.</summary>
    [JsonPropertyName("Config")] public string Config { get; set; } = "";

    /// <summary>Familiar references ("busybox:latest"); absent or empty for an untagged image.</summary>
    [JsonPropertyName("RepoTags")] public List<string>? RepoTags { get; set; }

    /// <summary>Paths of the layer tars, bottom first.</summary>
    [JsonPropertyName("Layers")] public List<string> Layers { get; set; } = [];

    /// <summary>Foreign layers (Windows base layers): descriptors by diff id; unsupported here.</summary>
    [JsonPropertyName("LayerSources")] public Dictionary<string, Oci.Descriptor>? LayerSources { get; set; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<DockerArchiveManifestEntry>))]
[JsonSerializable(typeof(Dictionary<string, Dictionary<string, string>>))]
internal sealed partial class ArchiveJsonContext : JsonSerializerContext
{
}
