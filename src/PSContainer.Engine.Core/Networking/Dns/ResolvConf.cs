using System.Net;

namespace PSContainer.Engine.Core.Networking.Dns;

/// <summary>The nameserver lines of a resolv.conf (resolv.conf(5)), as endpoints on port 53.</summary>
public static class ResolvConf
{
    public const string HostPath = "/etc/resolv.conf";

    /// <summary>The nameservers in <paramref name="text"/> in order; lines that are not valid addresses are skipped (as the libc resolver does).</summary>
    public static IReadOnlyList<IPEndPoint> Nameservers(string text)
    {
        var result = new List<IPEndPoint>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2 || fields[0] != "nameserver")
            {
                continue;
            }
            // An IPv6 link-local server may carry a zone ("fe80::1%eth0"); IPAddress parses that.
            if (IPAddress.TryParse(fields[1], out var address))
            {
                result.Add(new IPEndPoint(address, 53));
            }
        }
        return result;
    }

    /// <summary>The host's nameservers, or none when /etc/resolv.conf is missing or unreadable.</summary>
    public static IReadOnlyList<IPEndPoint> HostNameservers(string path = HostPath)
    {
        try
        {
            return Nameservers(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>
    /// The upstreams of a container's embedded server: its own --dns servers when it has any (they
    /// replace the host's, as in Docker), otherwise the host's nameservers.
    /// </summary>
    public static IReadOnlyList<IPEndPoint> UpstreamsFor(IEnumerable<string>? containerDns, IReadOnlyList<IPEndPoint> hostNameservers)
    {
        var own = new List<IPEndPoint>();
        foreach (var server in containerDns ?? [])
        {
            own.Add(IPAddress.TryParse(server, out var address)
                ? new IPEndPoint(address, 53)
                : throw new ArgumentException($"invalid DNS server address '{server}'", nameof(containerDns)));
        }
        return own.Count > 0 ? own : hostNameservers;
    }
}
