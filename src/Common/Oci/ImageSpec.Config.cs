using System.Text.Json.Serialization;

namespace PSContainer.Oci;

/// <summary>
/// The image configuration blob (config.md), with the Docker fields that docker images carry
/// (Healthcheck, OnBuild, Shell, ...). The image id is the digest of the blob's bytes, so code that
/// needs the id or re-publishes the config keeps the original bytes and never re-serialises this.
/// </summary>
public sealed class OciImage
{
    [JsonPropertyName("created")] public DateTimeOffset? Created { get; set; }
    [JsonPropertyName("author")] public string? Author { get; set; }
    [JsonPropertyName("architecture")] public string Architecture { get; set; } = "";
    [JsonPropertyName("os")] public string OS { get; set; } = "";
    [JsonPropertyName("os.version")] public string? OSVersion { get; set; }
    [JsonPropertyName("os.features")] public List<string>? OSFeatures { get; set; }
    [JsonPropertyName("variant")] public string? Variant { get; set; }
    [JsonPropertyName("config")] public ImageRuntimeConfig? Config { get; set; }
    [JsonPropertyName("rootfs")] public ImageRootFs RootFs { get; set; } = new();
    [JsonPropertyName("history")] public List<ImageHistory>? History { get; set; }
    /// <summary>Docker: the build comment ("imported from -" for imports).</summary>
    [JsonPropertyName("comment")] public string? Comment { get; set; }
    [JsonPropertyName("docker_version")] public string? DockerVersion { get; set; }
}

/// <summary>The "config" section: the defaults for containers run from the image.</summary>
public sealed class ImageRuntimeConfig
{
    [JsonPropertyName("User")] public string? User { get; set; }
    [JsonPropertyName("ExposedPorts")] public Dictionary<string, EmptyObject>? ExposedPorts { get; set; }
    [JsonPropertyName("Env")] public List<string>? Env { get; set; }
    [JsonPropertyName("Entrypoint")] public List<string>? Entrypoint { get; set; }
    [JsonPropertyName("Cmd")] public List<string>? Cmd { get; set; }
    [JsonPropertyName("Volumes")] public Dictionary<string, EmptyObject>? Volumes { get; set; }
    [JsonPropertyName("WorkingDir")] public string? WorkingDir { get; set; }
    [JsonPropertyName("Labels")] public Dictionary<string, string>? Labels { get; set; }
    [JsonPropertyName("StopSignal")] public string? StopSignal { get; set; }
    [JsonPropertyName("ArgsEscaped")] public bool? ArgsEscaped { get; set; }
    // Docker extensions beyond the OCI spec.
    [JsonPropertyName("Healthcheck")] public ImageHealthcheck? Healthcheck { get; set; }
    [JsonPropertyName("OnBuild")] public List<string>? OnBuild { get; set; }
    [JsonPropertyName("Shell")] public List<string>? Shell { get; set; }
    [JsonPropertyName("StopTimeout")] public int? StopTimeout { get; set; }
}

/// <summary>Docker's HEALTHCHECK in an image config; durations are nanoseconds.</summary>
public sealed class ImageHealthcheck
{
    [JsonPropertyName("Test")] public List<string>? Test { get; set; }
    [JsonPropertyName("Interval")] public long? Interval { get; set; }
    [JsonPropertyName("Timeout")] public long? Timeout { get; set; }
    [JsonPropertyName("StartPeriod")] public long? StartPeriod { get; set; }
    [JsonPropertyName("StartInterval")] public long? StartInterval { get; set; }
    [JsonPropertyName("Retries")] public int? Retries { get; set; }
}

/// <summary>"rootfs": the uncompressed layer digests (diff ids), bottom layer first.</summary>
public sealed class ImageRootFs
{
    [JsonPropertyName("type")] public string Type { get; set; } = "layers";
    [JsonPropertyName("diff_ids")] public List<Digest> DiffIds { get; set; } = [];
}

/// <summary>One "history" entry; <see cref="EmptyLayer"/> entries have no layer in rootfs.</summary>
public sealed class ImageHistory
{
    [JsonPropertyName("created")] public DateTimeOffset? Created { get; set; }
    [JsonPropertyName("created_by")] public string? CreatedBy { get; set; }
    [JsonPropertyName("author")] public string? Author { get; set; }
    [JsonPropertyName("comment")] public string? Comment { get; set; }
    [JsonPropertyName("empty_layer")] public bool? EmptyLayer { get; set; }
}

/// <summary>The "{}" value of the set-like maps (ExposedPorts, Volumes).</summary>
public sealed class EmptyObject
{
}
