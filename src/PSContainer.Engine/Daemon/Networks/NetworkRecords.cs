using System.Text.Json.Serialization;

namespace PSContainer.Engine.Daemon.Networks;

/// <summary>A network as the engine persists it (one record per network, key = id).</summary>
public sealed class NetworkRecord
{
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    /// <summary>bridge, host or null (the "none" network).</summary>
    public string Driver { get; set; } = "bridge";

    public DateTimeOffset Created { get; set; }

    /// <summary>The predefined networks bridge, host and none: never removed.</summary>
    public bool Predefined { get; set; }

    /// <summary>CIDR of the IPv4 subnet (bridge networks only).</summary>
    public string? Subnet { get; set; }

    public string? Gateway { get; set; }

    public string? IpRange { get; set; }

    /// <summary>The user chose the subnet (--subnet): only then are static addresses (--ip) allowed, as in Docker.</summary>
    public bool UserSubnet { get; set; }

    /// <summary>The Linux bridge of a bridge network.</summary>
    public string? BridgeName { get; set; }

    public int? Mtu { get; set; }

    public bool Internal { get; set; }

    public bool Attachable { get; set; }

    public Dictionary<string, string> Options { get; set; } = [];

    public Dictionary<string, string> Labels { get; set; } = [];
}

/// <summary>
/// A container's networking (one record per container, key = container id): the networks it is
/// connected to and, while it runs, its network namespace, endpoints and published ports — what an
/// engine restarted after a crash needs to find every address, veth and port mapping again.
/// </summary>
public sealed class ContainerNetworkingRecord
{
    public string ContainerId { get; set; } = "";

    public string ContainerName { get; set; } = "";

    /// <summary>The pinned namespace while the container runs (null when stopped or not engine-owned).</summary>
    public string? NetnsPath { get; set; }

    public List<AttachmentRecord> Attachments { get; set; } = [];

    public List<PublishedPortRecord> Ports { get; set; } = [];
}

/// <summary>A connection to one network: the request (aliases, static address) and the live endpoint.</summary>
public sealed class AttachmentRecord
{
    public string NetworkId { get; set; } = "";

    public List<string> Aliases { get; set; } = [];

    /// <summary>--ip: the address asked for.</summary>
    public string? RequestedIPv4 { get; set; }

    /// <summary>Set while the endpoint exists (container running).</summary>
    public EndpointRecord? Endpoint { get; set; }
}

public sealed class EndpointRecord
{
    public string EndpointId { get; set; } = "";

    /// <summary>eth0, eth1, … inside the container.</summary>
    public string Interface { get; set; } = "";

    /// <summary>The host end of the veth pair.</summary>
    public string HostVeth { get; set; } = "";

    public string IPv4Address { get; set; } = "";

    public int PrefixLength { get; set; }

    public string MacAddress { get; set; } = "";

    /// <summary>The container's default route goes through this endpoint's gateway.</summary>
    public bool DefaultRoute { get; set; }
}

public sealed class PublishedPortRecord
{
    public string Protocol { get; set; } = "tcp";

    public string HostIp { get; set; } = "0.0.0.0";

    public int HostPort { get; set; }

    public int ContainerPort { get; set; }

    /// <summary>The network whose bridge and container address the DNAT rule points at.</summary>
    public string NetworkId { get; set; } = "";
}

/// <summary>Source-generated JSON for the network records.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = false)]
[JsonSerializable(typeof(NetworkRecord))]
[JsonSerializable(typeof(ContainerNetworkingRecord))]
internal sealed partial class NetworksJsonContext : JsonSerializerContext
{
}
