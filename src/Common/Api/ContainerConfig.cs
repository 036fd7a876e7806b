using System.Text.Json.Serialization;

namespace PSContainer.Api;

/// <summary>
/// The portable part of a container's configuration ("Config" in create and inspect, and the
/// image config's "Config"). Property names are Docker's wire names.
/// </summary>
public class ContainerConfig
{
    public string? Hostname { get; set; }
    public string? Domainname { get; set; }
    public string? User { get; set; }
    public bool AttachStdin { get; set; }
    public bool AttachStdout { get; set; }
    public bool AttachStderr { get; set; }
    public Dictionary<string, EmptyObject>? ExposedPorts { get; set; }
    public bool Tty { get; set; }
    public bool OpenStdin { get; set; }
    public bool StdinOnce { get; set; }
    public List<string>? Env { get; set; }
    public List<string>? Cmd { get; set; }
    public HealthConfig? Healthcheck { get; set; }
    public bool? ArgsEscaped { get; set; }
    public string? Image { get; set; }
    public Dictionary<string, EmptyObject>? Volumes { get; set; }
    public string? WorkingDir { get; set; }
    public List<string>? Entrypoint { get; set; }
    public bool? NetworkDisabled { get; set; }
    public string? MacAddress { get; set; }
    public List<string>? OnBuild { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
    public string? StopSignal { get; set; }
    public int? StopTimeout { get; set; }
    public List<string>? Shell { get; set; }
}

/// <summary>Go's <c>struct{}</c> in maps such as ExposedPorts and Volumes: always <c>{}</c>.</summary>
public sealed class EmptyObject
{
}

/// <summary>A healthcheck: Test is ["NONE"], ["CMD", args...] or ["CMD-SHELL", command].</summary>
public sealed class HealthConfig
{
    public List<string>? Test { get; set; }
    /// <summary>Nanoseconds; 0 means inherit.</summary>
    public long Interval { get; set; }
    public long Timeout { get; set; }
    public long StartPeriod { get; set; }
    public long StartInterval { get; set; }
    public int Retries { get; set; }
}

/// <summary>POST /containers/create body: Config fields at the top level plus HostConfig and NetworkingConfig.</summary>
public sealed class ContainerCreateRequest : ContainerConfig
{
    public HostConfig? HostConfig { get; set; }
    public NetworkingConfig? NetworkingConfig { get; set; }
}

public sealed class ContainerCreateResponse
{
    public string Id { get; set; } = "";
    public List<string> Warnings { get; set; } = [];
}

public sealed class NetworkingConfig
{
    public Dictionary<string, EndpointSettings>? EndpointsConfig { get; set; }
}

public sealed class EndpointSettings
{
    public EndpointIpamConfig? IPAMConfig { get; set; }
    public List<string>? Links { get; set; }
    public List<string>? Aliases { get; set; }
    public string? MacAddress { get; set; }
    public Dictionary<string, string>? DriverOpts { get; set; }
    public string? NetworkID { get; set; }
    public string? EndpointID { get; set; }
    public string? Gateway { get; set; }
    public string? IPAddress { get; set; }
    public int IPPrefixLen { get; set; }
    public string? IPv6Gateway { get; set; }
    public string? GlobalIPv6Address { get; set; }
    public int GlobalIPv6PrefixLen { get; set; }
    public List<string>? DNSNames { get; set; }
}

public sealed class EndpointIpamConfig
{
    public string? IPv4Address { get; set; }
    public string? IPv6Address { get; set; }
    public List<string>? LinkLocalIPs { get; set; }
}
