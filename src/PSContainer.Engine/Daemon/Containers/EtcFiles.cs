using System.Net;
using System.Text;
using PSContainer.Api;

namespace PSContainer.Engine.Daemon.Containers;

/// <summary>
/// The /etc/hostname, /etc/hosts and /etc/resolv.conf a container gets, written into its state
/// directory and bind-mounted (so they survive the rootfs being read-only and outlive restarts).
/// </summary>
public static class EtcFiles
{
    /// <summary>The nameserver a container on a user-defined network uses: the engine's embedded DNS server.</summary>
    public const string EmbeddedDnsAddress = "127.0.0.11";

    public static void Write(Container container, string hostname, string hostResolvConf = "/etc/resolv.conf", string hostHosts = "/etc/hosts", EtcNetwork? network = null)
    {
        var host = container.Record.HostConfig;
        var networkHost = host.NetworkMode == "host";
        Directory.CreateDirectory(container.StateDirectory);
        WriteAtomic(container.HostnamePath, hostname + "\n");
        WriteAtomic(container.HostsPath, networkHost && File.Exists(hostHosts) ? File.ReadAllText(hostHosts) : Hosts(host, network?.Addresses ?? [], hostname));
        var hostText = File.Exists(hostResolvConf) ? File.ReadAllText(hostResolvConf) : "";
        WriteAtomic(container.ResolvConfPath, network is { EmbeddedDns: true } ? EmbeddedResolvConf(hostText, host) : ResolvConf(hostText, host, networkHost));
    }

    /// <summary>/etc/hosts: localhost entries, the container's own addresses with its hostname (as Docker writes them), then --add-host.</summary>
    public static string Hosts(HostConfig host, IReadOnlyList<IPAddress> ownAddresses, string hostname)
    {
        var text = new StringBuilder(Hosts(host));
        foreach (var address in ownAddresses)
        {
            text.Append(address).Append('\t').Append(hostname).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>
    /// resolv.conf on user-defined networks: the embedded server (which forwards other names to
    /// --dns or the host's servers), the host's or --dns-search domains, and ndots:0 unless
    /// --dns-option says otherwise, as Docker writes it.
    /// </summary>
    public static string EmbeddedResolvConf(string hostResolvConf, HostConfig host)
    {
        var lines = hostResolvConf.Split('\n').Select(l => l.Trim()).ToList();
        var search = host.DnsSearch is { Count: > 0 } ? string.Join(' ', host.DnsSearch)
            : string.Join(' ', lines.Where(l => l.StartsWith("search", StringComparison.Ordinal)).Select(l => l["search".Length..].Trim()));
        var options = host.DnsOptions is { Count: > 0 } ? string.Join(' ', host.DnsOptions) : "ndots:0";
        var text = new StringBuilder();
        text.Append("nameserver ").Append(EmbeddedDnsAddress).Append('\n');
        if (search.Length > 0)
        {
            text.Append("search ").Append(search).Append('\n');
        }
        text.Append("options ").Append(options).Append('\n');
        return text.ToString();
    }

    public static string Hosts(HostConfig host)
    {
        var text = new StringBuilder();
        text.Append("127.0.0.1\tlocalhost\n");
        text.Append("::1\tlocalhost ip6-localhost ip6-loopback\n");
        text.Append("fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n");
        foreach (var extra in host.ExtraHosts ?? [])
        {
            // "name:ip" (the CLI's --add-host form); the address may itself contain colons (IPv6).
            var colon = extra.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                text.Append(extra[(colon + 1)..]).Append('\t').Append(extra[..colon]).Append('\n');
            }
        }
        return text.ToString();
    }

    /// <summary>
    /// The host's resolv.conf without loopback name servers (they are unreachable from another
    /// network namespace), Google's public servers when none remain, and --dns/--dns-search/
    /// --dns-option overriding.
    /// </summary>
    public static string ResolvConf(string hostResolvConf, HostConfig host, bool networkHost)
    {
        var lines = hostResolvConf.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && l[0] is not ('#' or ';')).ToList();
        var nameservers = lines.Where(l => l.StartsWith("nameserver", StringComparison.Ordinal))
            .Select(l => l["nameserver".Length..].Trim())
            .Where(ns => networkHost || !(ns.StartsWith("127.", StringComparison.Ordinal) || ns == "::1"))
            .ToList();
        var search = lines.Where(l => l.StartsWith("search", StringComparison.Ordinal)).Select(l => l["search".Length..].Trim()).ToList();
        var options = lines.Where(l => l.StartsWith("options", StringComparison.Ordinal)).Select(l => l["options".Length..].Trim()).ToList();
        if (host.Dns is { Count: > 0 })
        {
            nameservers = [.. host.Dns];
        }
        if (host.DnsSearch is { Count: > 0 })
        {
            search = [string.Join(' ', host.DnsSearch)];
        }
        if (host.DnsOptions is { Count: > 0 })
        {
            options = [string.Join(' ', host.DnsOptions)];
        }
        if (nameservers.Count == 0)
        {
            nameservers = ["8.8.8.8", "8.8.4.4"];
        }
        var text = new StringBuilder();
        foreach (var s in search)
        {
            text.Append("search ").Append(s).Append('\n');
        }
        foreach (var ns in nameservers)
        {
            text.Append("nameserver ").Append(ns).Append('\n');
        }
        foreach (var o in options)
        {
            text.Append("options ").Append(o).Append('\n');
        }
        return text.ToString();
    }

    private static void WriteAtomic(string path, string content)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, content);
        File.Move(temp, path, overwrite: true);
    }
}

/// <summary>What the network setup tells the /etc files: the container's addresses and whether it uses the embedded DNS server.</summary>
public sealed record EtcNetwork(IReadOnlyList<IPAddress> Addresses, bool EmbeddedDns);
