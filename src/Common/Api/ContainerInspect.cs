namespace PSContainer.Api;

/// <summary>GET /containers/{id}/json.</summary>
public sealed class ContainerInspect
{
    public string Id { get; set; } = "";
    /// <summary>RFC 3339 with nanoseconds.</summary>
    public string? Created { get; set; }
    public string? Path { get; set; }
    public List<string>? Args { get; set; }
    public ContainerState? State { get; set; }
    /// <summary>The image id (sha256:...).</summary>
    public string? Image { get; set; }
    public string? ResolvConfPath { get; set; }
    public string? HostnamePath { get; set; }
    public string? HostsPath { get; set; }
    public string? LogPath { get; set; }
    /// <summary>With the leading slash, as Docker reports it.</summary>
    public string? Name { get; set; }
    public int RestartCount { get; set; }
    public string? Driver { get; set; }
    public string? Platform { get; set; }
    public string? MountLabel { get; set; }
    public string? ProcessLabel { get; set; }
    public string? AppArmorProfile { get; set; }
    public List<string>? ExecIDs { get; set; }
    public HostConfig? HostConfig { get; set; }
    public GraphDriverData? GraphDriver { get; set; }
    public long? SizeRw { get; set; }
    public long? SizeRootFs { get; set; }
    public List<MountPoint>? Mounts { get; set; }
    public ContainerConfig? Config { get; set; }
    public NetworkSettings? NetworkSettings { get; set; }
}

/// <summary>Status is created, running, paused, restarting, removing, exited or dead.</summary>
public sealed class ContainerState
{
    public string Status { get; set; } = "created";
    public bool Running { get; set; }
    public bool Paused { get; set; }
    public bool Restarting { get; set; }
    public bool OOMKilled { get; set; }
    public bool Dead { get; set; }
    public int Pid { get; set; }
    public int ExitCode { get; set; }
    public string Error { get; set; } = "";
    public string StartedAt { get; set; } = "0001-01-01T00:00:00Z";
    public string FinishedAt { get; set; } = "0001-01-01T00:00:00Z";
    public Health? Health { get; set; }
}

/// <summary>Status is none, starting, healthy or unhealthy.</summary>
public sealed class Health
{
    public string Status { get; set; } = "none";
    public int FailingStreak { get; set; }
    public List<HealthcheckResult> Log { get; set; } = [];
}

public sealed class HealthcheckResult
{
    public string? Start { get; set; }
    public string? End { get; set; }
    public int ExitCode { get; set; }
    public string? Output { get; set; }
}

public sealed class GraphDriverData
{
    public string Name { get; set; } = "";
    public Dictionary<string, string>? Data { get; set; }
}

/// <summary>A mount as inspect and ps report it.</summary>
public sealed class MountPoint
{
    public string? Type { get; set; }
    public string? Name { get; set; }
    public string? Source { get; set; }
    public string? Destination { get; set; }
    public string? Driver { get; set; }
    public string? Mode { get; set; }
    public bool RW { get; set; }
    public string? Propagation { get; set; }
}

public sealed class NetworkSettings
{
    public string? Bridge { get; set; }
    public string? SandboxID { get; set; }
    public string? SandboxKey { get; set; }
    public Dictionary<string, List<PortBinding>?>? Ports { get; set; }
    public bool HairpinMode { get; set; }
    public string? LinkLocalIPv6Address { get; set; }
    public int LinkLocalIPv6PrefixLen { get; set; }
    public string? EndpointID { get; set; }
    public string? Gateway { get; set; }
    public string? GlobalIPv6Address { get; set; }
    public int GlobalIPv6PrefixLen { get; set; }
    public string? IPAddress { get; set; }
    public int IPPrefixLen { get; set; }
    public string? IPv6Gateway { get; set; }
    public string? MacAddress { get; set; }
    public Dictionary<string, EndpointSettings>? Networks { get; set; }
}

/// <summary>One row of GET /containers/json (docker ps).</summary>
public sealed class ContainerSummary
{
    public string Id { get; set; } = "";
    public List<string> Names { get; set; } = [];
    public string? Image { get; set; }
    public string? ImageID { get; set; }
    public string? Command { get; set; }
    /// <summary>Unix seconds.</summary>
    public long Created { get; set; }
    public List<Port> Ports { get; set; } = [];
    public long? SizeRw { get; set; }
    public long? SizeRootFs { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
    public string? State { get; set; }
    /// <summary>Human text: "Up 3 seconds", "Exited (0) 2 minutes ago", "Created".</summary>
    public string? Status { get; set; }
    public SummaryHostConfig? HostConfig { get; set; }
    public SummaryNetworkSettings? NetworkSettings { get; set; }
    public List<MountPoint>? Mounts { get; set; }
}

public sealed class SummaryHostConfig
{
    public string? NetworkMode { get; set; }
    public Dictionary<string, string>? Annotations { get; set; }
}

public sealed class SummaryNetworkSettings
{
    public Dictionary<string, EndpointSettings>? Networks { get; set; }
}

public sealed class Port
{
    public string? IP { get; set; }
    public ushort PrivatePort { get; set; }
    public ushort PublicPort { get; set; }
    public string? Type { get; set; }
}

/// <summary>POST /containers/{id}/wait.</summary>
public sealed class WaitResponse
{
    public long StatusCode { get; set; }
    public WaitExitError? Error { get; set; }
}

public sealed class WaitExitError
{
    public string? Message { get; set; }
}

/// <summary>GET /containers/{id}/top.</summary>
public sealed class ContainerTopResponse
{
    public List<string> Titles { get; set; } = [];
    public List<List<string>> Processes { get; set; } = [];
}

/// <summary>GET /containers/{id}/changes: Kind 0 = modified, 1 = added, 2 = deleted.</summary>
public sealed class ContainerChange
{
    public string Path { get; set; } = "";
    public int Kind { get; set; }
}

/// <summary>POST /containers/prune.</summary>
public sealed class ContainerPruneResponse
{
    public List<string>? ContainersDeleted { get; set; }
    public long SpaceReclaimed { get; set; }
}

/// <summary>The X-Docker-Container-Path-Stat header of archive HEAD/GET (base64 of this JSON).</summary>
public sealed class ContainerPathStat
{
    [System.Text.Json.Serialization.JsonPropertyName("name")]
    public string Name { get; set; } = "";
    [System.Text.Json.Serialization.JsonPropertyName("size")]
    public long Size { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("mode")]
    public uint Mode { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("mtime")]
    public string? Mtime { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("linkTarget")]
    public string LinkTarget { get; set; } = "";
}
