using System.Globalization;
using System.Net;
using PSContainer.Engine.Core.Networking.Ipam;

namespace PSContainer.Engine.Core.Networking.Ports;

/// <summary>
/// One container port to publish and the host ports it may take: a fixed port
/// (<see cref="HostPortFirst"/> = <see cref="HostPortLast"/>), a range to choose from, or 0 for
/// any free ephemeral port.
/// </summary>
public sealed record PortRequest(string Protocol, IPAddress HostIp, int HostPortFirst, int HostPortLast, int ContainerPort)
{
    public bool IsEphemeral => HostPortFirst == 0;

    /// <summary>"80/tcp" → (80, "tcp"); the protocol defaults to tcp.</summary>
    public static (int Port, string Protocol) ParseContainerPort(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var protocol = slash < 0 ? "tcp" : text[(slash + 1)..].ToLowerInvariant();
        if (protocol is not ("tcp" or "udp" or "sctp"))
        {
            throw new FormatException($"invalid proto: {protocol}");
        }
        return (ParsePort(slash < 0 ? text : text[..slash], allowZero: false), protocol);
    }

    /// <summary>
    /// The API form: a PortBindings key ("80/tcp") and one binding's HostIp and HostPort (""/"0": any,
    /// "8080", "8000-8010": one of the range).
    /// </summary>
    public static PortRequest FromBinding(string containerPort, string? hostIp, string? hostPort)
    {
        var (port, protocol) = ParseContainerPort(containerPort);
        var ip = string.IsNullOrEmpty(hostIp) ? IPAddress.Any : ParseHostIp(hostIp);
        var (first, last) = ParseHostPorts(hostPort ?? "");
        return new PortRequest(protocol, ip, first, last, port);
    }

    /// <summary>
    /// The `-p` form: "[hostIP:][hostPort:]containerPort[/proto]" where either port may be a range;
    /// equal-length ranges pair up one to one, a host range with one container port means "one of these".
    /// </summary>
    public static IReadOnlyList<PortRequest> ParseSpec(string spec)
    {
        var protocolSplit = spec.LastIndexOf('/');
        var protocol = "tcp";
        var body = spec;
        if (protocolSplit >= 0)
        {
            protocol = spec[(protocolSplit + 1)..].ToLowerInvariant();
            body = spec[..protocolSplit];
            if (protocol is not ("tcp" or "udp" or "sctp"))
            {
                throw new FormatException($"invalid proto: {protocol} in \"{spec}\"");
            }
        }
        string hostIp = "", hostPorts = "", containerPorts;
        var lastColon = body.LastIndexOf(':');
        if (lastColon < 0)
        {
            containerPorts = body;
        }
        else
        {
            containerPorts = body[(lastColon + 1)..];
            var rest = body[..lastColon];
            var ipColon = rest.LastIndexOf(':');
            if (ipColon < 0)
            {
                hostPorts = rest;
            }
            else
            {
                hostIp = rest[..ipColon].Trim('[', ']');
                hostPorts = rest[(ipColon + 1)..];
            }
        }
        var ip = hostIp.Length == 0 ? IPAddress.Any : ParseHostIp(hostIp);
        var (cFirst, cLast) = ParseRange(containerPorts, allowZero: false, spec);
        var (hFirst, hLast) = ParseHostPorts(hostPorts);
        var count = cLast - cFirst + 1;
        if (hFirst != 0 && hLast - hFirst + 1 != count && count != 1)
        {
            throw new FormatException($"invalid ranges specified for container and host ports in \"{spec}\"");
        }
        var result = new List<PortRequest>();
        for (var i = 0; i < count; i++)
        {
            result.Add(count == 1
                ? new PortRequest(protocol, ip, hFirst, hLast, cFirst)
                : new PortRequest(protocol, ip, hFirst == 0 ? 0 : hFirst + i, hFirst == 0 ? 0 : hFirst + i, cFirst + i));
        }
        return result;
    }

    private static (int First, int Last) ParseHostPorts(string text) =>
        text.Length == 0 ? (0, 0) : ParseRange(text, allowZero: true, text);

    private static (int First, int Last) ParseRange(string text, bool allowZero, string spec)
    {
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            var port = ParsePort(text, allowZero);
            return (port, port);
        }
        var first = ParsePort(text[..dash], allowZero);
        var last = ParsePort(text[(dash + 1)..], allowZero);
        return last >= first ? (first, last) : throw new FormatException($"invalid port range {text} in \"{spec}\": the end is below the start");
    }

    private static int ParsePort(string text, bool allowZero) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535 && (allowZero || port > 0)
            ? port
            : throw new FormatException($"invalid port: \"{text}\"");

    private static IPAddress ParseHostIp(string text) =>
        IPAddress.TryParse(text, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            ? ip
            : text.Contains(':', StringComparison.Ordinal)
                ? throw new FormatException($"IPv6 host addresses are not supported yet: {text}")
                : Ipv4Subnet.ParseAddress(text);
}

/// <summary>A published port as it is bound: what `docker port` and inspect show.</summary>
public sealed record PortMapping(string Protocol, IPAddress HostIp, int HostPort, int ContainerPort)
{
    /// <summary>"0.0.0.0:8080->80/tcp"-style text for messages.</summary>
    public override string ToString() =>
        $"{HostIp}:{HostPort.ToString(CultureInfo.InvariantCulture)}->{ContainerPort.ToString(CultureInfo.InvariantCulture)}/{Protocol}";
}
