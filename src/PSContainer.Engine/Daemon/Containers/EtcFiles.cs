using System.Text;
using PSContainer.Api;

namespace PSContainer.Engine.Daemon.Containers;

/// <summary>
/// The /etc/hostname, /etc/hosts and /etc/resolv.conf a container gets, written into its state
/// directory and bind-mounted (so they survive the rootfs being read-only and outlive restarts).
/// </summary>
public static class EtcFiles
{
    public static void Write(Container container, string hostname, string hostResolvConf = "/etc/resolv.conf", string hostHosts = "/etc/hosts")
    {
        var host = container.Record.HostConfig;
        var networkHost = host.NetworkMode == "host";
        Directory.CreateDirectory(container.StateDirectory);
        WriteAtomic(container.HostnamePath, hostname + "\n");
        WriteAtomic(container.HostsPath, networkHost && File.Exists(hostHosts) ? File.ReadAllText(hostHosts) : Hosts(host));
        WriteAtomic(container.ResolvConfPath, ResolvConf(File.Exists(hostResolvConf) ? File.ReadAllText(hostResolvConf) : "", host, networkHost));
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
