using System.Text.Json.Serialization;
using PSContainer.Oci;

namespace PSContainer.Runc.Container;

/// <summary>
/// What psc-runc keeps about one container in ROOT/ID/state.json: enough to answer `state`, to
/// signal and delete it, and to exec into it, after the process that created it is gone.
/// </summary>
public sealed class ContainerRecord
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("pid")] public int Pid { get; set; }
    /// <summary>The init's start time (clock ticks since boot, /proc/PID/stat field 22): tells a reused pid apart.</summary>
    [JsonPropertyName("pidStartTime")] public ulong PidStartTime { get; set; }
    [JsonPropertyName("bundle")] public string Bundle { get; set; } = "";
    [JsonPropertyName("rootfs")] public string Rootfs { get; set; } = "";
    [JsonPropertyName("created")] public DateTimeOffset Created { get; set; }
    [JsonPropertyName("owner")] public string Owner { get; set; } = "";
    /// <summary>The config the container was created from (hooks, namespaces, seccomp for exec).</summary>
    [JsonPropertyName("config")] public Spec Config { get; set; } = new();
    /// <summary>The config as JSON when it is known unchanged (written into state.json as is).</summary>
    [JsonIgnore] public byte[]? ConfigJson { get; set; }
    /// <summary>The container's cgroup, as the cgroup manager names it (null: none was made).</summary>
    [JsonPropertyName("cgroupPath")] public string? CgroupPath { get; set; }
    /// <summary>Namespace types the init has apart from the runtime's (what exec joins).</summary>
    [JsonPropertyName("namespaces")] public List<string> Namespaces { get; set; } = [];
    /// <summary>Set once `start` ran the poststart hooks; a created container has not started.</summary>
    [JsonPropertyName("started")] public bool Started { get; set; }
}

/// <summary>One line of `list --format json` (runc's field names).</summary>
public sealed class ContainerSummary
{
    [JsonPropertyName("ociVersion")] public string OciVersion { get; set; } = "";
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("pid")] public int Pid { get; set; }
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    [JsonPropertyName("bundle")] public string Bundle { get; set; } = "";
    [JsonPropertyName("rootfs")] public string Rootfs { get; set; } = "";
    /// <summary>RFC 3339 with nanoseconds, as runc prints it ("2024-05-01T10:00:00.123456789Z").</summary>
    [JsonPropertyName("created")] public string Created { get; set; } = "";
    [JsonPropertyName("owner")] public string Owner { get; set; } = "";
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
}

/// <summary>The `state` output: the OCI state plus runc's extra fields (rootfs, created, owner).</summary>
public sealed class ContainerState
{
    [JsonPropertyName("ociVersion")] public string OciVersion { get; set; } = "";
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("pid")] public int Pid { get; set; }
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    [JsonPropertyName("bundle")] public string Bundle { get; set; } = "";
    [JsonPropertyName("rootfs")] public string Rootfs { get; set; } = "";
    /// <summary>RFC 3339 with nanoseconds, as runc prints it.</summary>
    [JsonPropertyName("created")] public string Created { get; set; } = "";
    [JsonPropertyName("owner")] public string Owner { get; set; } = "";
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }

    /// <summary>Go's RFC3339Nano: UTC, "Z", fractional seconds without trailing zeros.</summary>
    public static string Rfc3339Nano(DateTimeOffset time)
    {
        var text = time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", System.Globalization.CultureInfo.InvariantCulture).TrimEnd('0').TrimEnd('.');
        return text + "Z";
    }
}

/// <summary>Source-generated JSON for what psc-runc writes and prints.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<ContainerSummary>))]
[JsonSerializable(typeof(State))]
[JsonSerializable(typeof(List<int>))]
[JsonSerializable(typeof(PSContainer.Runc.Cgroups.CgroupStats))]
public sealed partial class RuncJsonContext : JsonSerializerContext
{
}
