using System.Text.Json.Serialization;

namespace PSContainer.Api;

/// <summary>Every error body: <c>{"message": "No such container: x"}</c>.</summary>
public sealed class ErrorResponse
{
    [JsonPropertyName("message")]
    public string Message { get; set; } = "";
}

/// <summary>GET /version.</summary>
public sealed class SystemVersion
{
    public ComponentVersion? Platform { get; set; }
    public List<ComponentVersion>? Components { get; set; }
    public string Version { get; set; } = "";
    public string ApiVersion { get; set; } = "";
    public string MinAPIVersion { get; set; } = "";
    public string GitCommit { get; set; } = "";
    public string GoVersion { get; set; } = "";
    public string Os { get; set; } = "linux";
    public string Arch { get; set; } = "amd64";
    public string KernelVersion { get; set; } = "";
    public bool Experimental { get; set; }
    public string BuildTime { get; set; } = "";
}

public sealed class ComponentVersion
{
    public string Name { get; set; } = "";
    public string? Version { get; set; }
    public Dictionary<string, string>? Details { get; set; }
}

/// <summary>GET /info (docker info).</summary>
public sealed class SystemInfo
{
    public string ID { get; set; } = "";
    public int Containers { get; set; }
    public int ContainersRunning { get; set; }
    public int ContainersPaused { get; set; }
    public int ContainersStopped { get; set; }
    public int Images { get; set; }
    public string Driver { get; set; } = "";
    public List<List<string>>? DriverStatus { get; set; }
    public string DockerRootDir { get; set; } = "";
    public PluginsInfo? Plugins { get; set; }
    public bool MemoryLimit { get; set; }
    public bool SwapLimit { get; set; }
    public bool CpuCfsPeriod { get; set; }
    public bool CpuCfsQuota { get; set; }
    public bool CPUShares { get; set; }
    public bool CPUSet { get; set; }
    public bool PidsLimit { get; set; }
    public bool OomKillDisable { get; set; }
    public bool IPv4Forwarding { get; set; }
    public bool Debug { get; set; }
    public int NFd { get; set; }
    public int NGoroutines { get; set; }
    public string SystemTime { get; set; } = "";
    public string LoggingDriver { get; set; } = "json-file";
    public string CgroupDriver { get; set; } = "cgroupfs";
    public string CgroupVersion { get; set; } = "";
    public int NEventsListener { get; set; }
    public string KernelVersion { get; set; } = "";
    public string OperatingSystem { get; set; } = "";
    public string OSVersion { get; set; } = "";
    public string OSType { get; set; } = "linux";
    public string Architecture { get; set; } = "";
    public int NCPU { get; set; }
    public long MemTotal { get; set; }
    public string IndexServerAddress { get; set; } = "";
    public string? HttpProxy { get; set; }
    public string? HttpsProxy { get; set; }
    public string? NoProxy { get; set; }
    public string Name { get; set; } = "";
    public List<string> Labels { get; set; } = [];
    public bool ExperimentalBuild { get; set; }
    public string ServerVersion { get; set; } = "";
    public Dictionary<string, RuntimeInfo>? Runtimes { get; set; }
    public string DefaultRuntime { get; set; } = "";
    public SwarmInfo Swarm { get; set; } = new();
    public bool LiveRestoreEnabled { get; set; }
    public string Isolation { get; set; } = "";
    public string InitBinary { get; set; } = "";
    public CommitInfo? ContainerdCommit { get; set; }
    public CommitInfo? RuncCommit { get; set; }
    public CommitInfo? InitCommit { get; set; }
    public List<string> SecurityOptions { get; set; } = [];
    public List<string> Warnings { get; set; } = [];
}

public sealed class PluginsInfo
{
    public List<string> Volume { get; set; } = [];
    public List<string> Network { get; set; } = [];
    public List<string>? Authorization { get; set; }
    public List<string> Log { get; set; } = [];
}

public sealed class RuntimeInfo
{
    [JsonPropertyName("path")]
    public string Path { get; set; } = "";
}

public sealed class SwarmInfo
{
    public string NodeID { get; set; } = "";
    public string NodeAddr { get; set; } = "";
    public string LocalNodeState { get; set; } = "inactive";
    public bool ControlAvailable { get; set; }
    public string Error { get; set; } = "";
}

public sealed class CommitInfo
{
    public string ID { get; set; } = "";
    public string? Expected { get; set; }
}

/// <summary>One message of GET /events (JSON lines). Type: container, image, volume, network, daemon.</summary>
public sealed class EventMessage
{
    public string Type { get; set; } = "";
    public string Action { get; set; } = "";
    public EventActor Actor { get; set; } = new();
    [JsonPropertyName("scope")]
    public string Scope { get; set; } = "local";
    [JsonPropertyName("time")]
    public long Time { get; set; }
    [JsonPropertyName("timeNano")]
    public long TimeNano { get; set; }
    /// <summary>Deprecated fields old clients still read (container events only).</summary>
    [JsonPropertyName("status")]
    public string? Status { get; set; }
    [JsonPropertyName("id")]
    public string? Id { get; set; }
    [JsonPropertyName("from")]
    public string? From { get; set; }
}

public sealed class EventActor
{
    public string ID { get; set; } = "";
    public Dictionary<string, string> Attributes { get; set; } = [];
}

/// <summary>GET /system/df.</summary>
public sealed class SystemDiskUsage
{
    public long LayersSize { get; set; }
    public List<ImageSummary> Images { get; set; } = [];
    public List<ContainerSummary> Containers { get; set; } = [];
    public List<VolumeSummary> Volumes { get; set; } = [];
    public List<EmptyObject> BuildCache { get; set; } = [];
}
