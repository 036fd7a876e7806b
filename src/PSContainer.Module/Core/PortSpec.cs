using System.Collections;
using System.Globalization;
using System.Net;

namespace PSContainer.Module.Core;

/// <summary>One parsed -Port mapping: a container port (range) published on a host address and port (range).</summary>
public sealed record PortSpec(string? HostIP, int? HostPortStart, int? HostPortEnd, int ContainerPortStart, int ContainerPortEnd, string Protocol)
{
    /// <summary>
    /// Parses docker's -p forms: "80", "8080:80", "127.0.0.1:8080:80", "127.0.0.1::80",
    /// "[::1]:8080:80", "8000-8002:80-82", each with an optional "/tcp", "/udp" or "/sctp".
    /// </summary>
    public static PortSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var spec = text.Trim();
        var protocol = "tcp";
        var slash = spec.LastIndexOf('/');
        if (slash >= 0)
        {
            protocol = spec[(slash + 1)..].ToLowerInvariant();
            spec = spec[..slash];
            if (protocol is not ("tcp" or "udp" or "sctp"))
            {
                throw Bad(text, $"the protocol '{protocol}' is not tcp, udp or sctp");
            }
        }
        string? hostIP = null;
        if (spec.StartsWith('['))
        {
            var close = spec.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= spec.Length || spec[close + 1] != ':')
            {
                throw Bad(text, "an IPv6 host address must be written [address]:hostPort:containerPort");
            }
            hostIP = spec[1..close];
            spec = spec[(close + 2)..];
        }
        var parts = spec.Split(':');
        string? hostPart;
        string containerPart;
        switch (parts.Length)
        {
            case 1:
                hostPart = null;
                containerPart = parts[0];
                break;
            case 2 when hostIP is null:
                hostPart = parts[0];
                containerPart = parts[1];
                break;
            case 2:
                hostPart = parts[0];
                containerPart = parts[1];
                break;
            case 3 when hostIP is null:
                hostIP = parts[0];
                hostPart = parts[1];
                containerPart = parts[2];
                break;
            default:
                throw Bad(text, "use containerPort, hostPort:containerPort or hostIP:hostPort:containerPort");
        }
        if (hostIP is not null && !IPAddress.TryParse(hostIP, out _))
        {
            throw Bad(text, $"'{hostIP}' is not an IP address");
        }
        var (containerStart, containerEnd) = ParseRange(containerPart, text, "container port");
        int? hostStart = null, hostEnd = null;
        if (!string.IsNullOrEmpty(hostPart))
        {
            var (start, end) = ParseRange(hostPart, text, "host port");
            hostStart = start;
            hostEnd = end;
            var hostCount = end - start;
            var containerCount = containerEnd - containerStart;
            // A host range for one container port means "any free port of these"; otherwise the sizes must agree.
            if (containerCount != 0 && hostCount != containerCount)
            {
                throw Bad(text, $"the host range has {hostCount + 1} ports and the container range {containerCount + 1}");
            }
        }
        return new PortSpec(hostIP, hostStart, hostEnd, containerStart, containerEnd, protocol);
    }

    /// <summary>
    /// Parses a -Port argument: strings, numbers (a container port) or a hashtable of host port →
    /// container port (@{8080 = 80; '127.0.0.1:5353' = '53/udp'}).
    /// </summary>
    public static IReadOnlyList<PortSpec> ParseAll(IEnumerable<object?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var specs = new List<PortSpec>();
        foreach (var value in values)
        {
            switch (value)
            {
                case null:
                    break;
                case IDictionary table:
                    foreach (DictionaryEntry entry in table)
                    {
                        var host = Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "";
                        var container = Convert.ToString(entry.Value, CultureInfo.InvariantCulture) ?? "";
                        specs.Add(Parse(host + ":" + container));
                    }
                    break;
                case string text:
                    specs.Add(Parse(text));
                    break;
                case int or long or short or ushort:
                    specs.Add(Parse(Convert.ToString(value, CultureInfo.InvariantCulture)!));
                    break;
                default:
                    throw new ArgumentException($"-Port takes strings like '8080:80' or a hashtable like @{{8080 = 80}}, not a {value.GetType().Name}.");
            }
        }
        return specs;
    }

    /// <summary>Expands ranges into the API's ExposedPorts keys and PortBindings.</summary>
    public void AddTo(IDictionary<string, Api.EmptyObject> exposed, IDictionary<string, List<Api.PortBinding>?> bindings)
    {
        ArgumentNullException.ThrowIfNull(exposed);
        ArgumentNullException.ThrowIfNull(bindings);
        for (var port = ContainerPortStart; port <= ContainerPortEnd; port++)
        {
            var key = string.Create(CultureInfo.InvariantCulture, $"{port}/{Protocol}");
            exposed[key] = new Api.EmptyObject();
            string hostPort;
            if (HostPortStart is null)
            {
                hostPort = "";
            }
            else if (ContainerPortStart == ContainerPortEnd && HostPortEnd != HostPortStart)
            {
                hostPort = string.Create(CultureInfo.InvariantCulture, $"{HostPortStart}-{HostPortEnd}");
            }
            else
            {
                hostPort = (HostPortStart.Value + (port - ContainerPortStart)).ToString(CultureInfo.InvariantCulture);
            }
            if (!bindings.TryGetValue(key, out var list) || list is null)
            {
                list = [];
                bindings[key] = list;
            }
            list.Add(new Api.PortBinding { HostIp = HostIP ?? "", HostPort = hostPort });
        }
    }

    private static (int Start, int End) ParseRange(string text, string whole, string what)
    {
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        var start = ParsePort(dash < 0 ? text : text[..dash], whole, what);
        var end = dash < 0 ? start : ParsePort(text[(dash + 1)..], whole, what);
        if (end < start)
        {
            throw Bad(whole, $"the {what} range {text} ends before it starts");
        }
        return (start, end);
    }

    private static int ParsePort(string text, string whole, string what) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
            ? port
            : throw Bad(whole, $"the {what} '{text}' is not a number between 1 and 65535");

    private static ArgumentException Bad(string text, string why) => new($"Port mapping '{text}' is not valid: {why}.");
}
