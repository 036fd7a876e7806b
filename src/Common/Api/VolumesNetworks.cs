namespace PSContainer.Api;

/// <summary>A volume (GET /volumes, /volumes/{name}).</summary>
public sealed class VolumeSummary
{
    public string Name { get; set; } = "";
    public string Driver { get; set; } = "local";
    public string Mountpoint { get; set; } = "";
    public string? CreatedAt { get; set; }
    public Dictionary<string, string>? Status { get; set; }
    public Dictionary<string, string> Labels { get; set; } = [];
    public string Scope { get; set; } = "local";
    public Dictionary<string, string> Options { get; set; } = [];
    public VolumeUsageData? UsageData { get; set; }
}

public sealed class VolumeUsageData
{
    public long Size { get; set; } = -1;
    public long RefCount { get; set; } = -1;
}

/// <summary>POST /volumes/create.</summary>
public sealed class VolumeCreateRequest
{
    public string? Name { get; set; }
    public string? Driver { get; set; }
    public Dictionary<string, string>? DriverOpts { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
}

/// <summary>GET /volumes.</summary>
public sealed class VolumeListResponse
{
    public List<VolumeSummary> Volumes { get; set; } = [];
    public List<string> Warnings { get; set; } = [];
}

/// <summary>POST /volumes/prune.</summary>
public sealed class VolumePruneResponse
{
    public List<string>? VolumesDeleted { get; set; }
    public long SpaceReclaimed { get; set; }
}

/// <summary>A network (GET /networks, /networks/{id}).</summary>
public sealed class NetworkSummary
{
    public string Name { get; set; } = "";
    public string Id { get; set; } = "";
    public string? Created { get; set; }
    public string Scope { get; set; } = "local";
    public string Driver { get; set; } = "";
    public bool EnableIPv4 { get; set; } = true;
    public bool EnableIPv6 { get; set; }
    public Ipam? IPAM { get; set; }
    public bool Internal { get; set; }
    public bool Attachable { get; set; }
    public bool Ingress { get; set; }
    public bool ConfigOnly { get; set; }
    public Dictionary<string, NetworkContainer>? Containers { get; set; }
    public Dictionary<string, string>? Options { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
}

public sealed class Ipam
{
    public string Driver { get; set; } = "default";
    public Dictionary<string, string>? Options { get; set; }
    public List<IpamConfig>? Config { get; set; }
}

public sealed class IpamConfig
{
    public string? Subnet { get; set; }
    public string? IPRange { get; set; }
    public string? Gateway { get; set; }
    public Dictionary<string, string>? AuxiliaryAddresses { get; set; }
}

public sealed class NetworkContainer
{
    public string? Name { get; set; }
    public string? EndpointID { get; set; }
    public string? MacAddress { get; set; }
    public string? IPv4Address { get; set; }
    public string? IPv6Address { get; set; }
}

/// <summary>POST /networks/create.</summary>
public sealed class NetworkCreateRequest
{
    public string? Name { get; set; }
    public bool? CheckDuplicate { get; set; }
    public string? Driver { get; set; }
    public string? Scope { get; set; }
    public bool Internal { get; set; }
    public bool Attachable { get; set; }
    public bool Ingress { get; set; }
    public Ipam? IPAM { get; set; }
    public bool? EnableIPv6 { get; set; }
    public Dictionary<string, string>? Options { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
}

public sealed class NetworkCreateResponse
{
    public string Id { get; set; } = "";
    public string Warning { get; set; } = "";
}

/// <summary>POST /networks/prune.</summary>
public sealed class NetworkPruneResponse
{
    public List<string>? NetworksDeleted { get; set; }
}

/// <summary>POST /networks/{id}/connect and /disconnect.</summary>
public sealed class NetworkConnectRequest
{
    public string? Container { get; set; }
    public EndpointSettings? EndpointConfig { get; set; }
    public bool Force { get; set; }
}
