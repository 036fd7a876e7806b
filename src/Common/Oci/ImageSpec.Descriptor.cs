using System.Text.Json.Serialization;

namespace PSContainer.Oci;

/// <summary>A content descriptor (descriptor.md): what a blob is, its digest and its size.</summary>
public sealed class Descriptor
{
    [JsonPropertyName("mediaType")] public string MediaType { get; set; } = "";
    [JsonPropertyName("digest")] public Digest Digest { get; set; }
    [JsonPropertyName("size")] public long Size { get; set; }
    [JsonPropertyName("urls")] public List<string>? Urls { get; set; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
    [JsonPropertyName("platform")] public Platform? Platform { get; set; }
    [JsonPropertyName("artifactType")] public string? ArtifactType { get; set; }

    public Descriptor Clone() => new()
    {
        MediaType = MediaType,
        Digest = Digest,
        Size = Size,
        Urls = Urls is null ? null : [.. Urls],
        Annotations = Annotations is null ? null : new Dictionary<string, string>(Annotations),
        Platform = Platform,
        ArtifactType = ArtifactType,
    };

    public override string ToString() => $"{MediaType} {Digest} ({Size} bytes)";
}

/// <summary>The platform an image runs on (image-index.md "platform").</summary>
public sealed class Platform
{
    [JsonPropertyName("architecture")] public string Architecture { get; set; } = "";
    [JsonPropertyName("os")] public string OS { get; set; } = "";
    [JsonPropertyName("os.version")] public string? OSVersion { get; set; }
    [JsonPropertyName("os.features")] public List<string>? OSFeatures { get; set; }
    [JsonPropertyName("variant")] public string? Variant { get; set; }

    public override string ToString() =>
        Variant is null ? $"{OS}/{Architecture}" : $"{OS}/{Architecture}/{Variant}";
}

/// <summary>Well-known annotation keys (annotations.md).</summary>
public static class Annotations
{
    public const string RefName = "org.opencontainers.image.ref.name";
    public const string Created = "org.opencontainers.image.created";
    /// <summary>The full image name containerd records next to the short ref name in OCI layouts it writes.</summary>
    public const string ContainerdImageName = "io.containerd.image.name";
}
