using System.Diagnostics;
using System.Security.Cryptography;
using PSContainer.Engine.Core.Networking.Netlink;

namespace PSContainer.Engine.IntegrationTests.Networking;

/// <summary>
/// What a test engine leaves on the host's network stack, found by the engine's own network
/// prefix (--network-prefix): bridges and veths named "PREFIX…", iptables rules in or jumping to
/// the chains "PREFIX…" (upper case) or naming its bridges. Removed after every test engine, also
/// after a failure or a SIGKILL, so parallel engines and a dockerd beside them are never touched.
/// </summary>
public static class HostNetworkCleanup
{
    /// <summary>A prefix no other engine uses: "t" and five random lower-case letters or digits.</summary>
    public static string NewPrefix()
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        return "t" + new string([.. RandomNumberGenerator.GetBytes(5).Select(b => alphabet[b % alphabet.Length])]);
    }

    public static void RemoveAll(string prefix)
    {
        RemoveRules(prefix);
        RemoveLinks(prefix);
    }

    /// <summary>Links named by the prefix (deleting a bridge detaches its ports; deleting a veth end deletes both).</summary>
    public static void RemoveLinks(string prefix)
    {
        using var netlink = RtNetlinkClient.Open();
        foreach (var link in netlink.Links().Where(l => l.Name.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(l => l.Master is null ? 0 : -1))
        {
            netlink.DeleteLink(link.Name);
        }
    }

    /// <summary>The rules of this engine, as `iptables -S` lists them, deleted one by one; then its chains.</summary>
    public static void RemoveRules(string prefix)
    {
        var chains = prefix.ToUpperInvariant();
        foreach (var table in new[] { "filter", "nat" })
        {
            var listing = Iptables("-t", table, "-S");
            foreach (var line in listing.Split('\n').Where(l => l.StartsWith("-A ", StringComparison.Ordinal)).Reverse())
            {
                var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (!words.Any(w => w.StartsWith(chains, StringComparison.Ordinal) || w.StartsWith(prefix, StringComparison.Ordinal)))
                {
                    continue;
                }
                words[0] = "-D";
                Iptables([.. new[] { "-t", table }.Concat(words)]);
            }
            var own = listing.Split('\n').Where(l => l.StartsWith("-N " + chains, StringComparison.Ordinal)).Select(l => l[3..].Trim()).ToList();
            foreach (var chain in own)
            {
                Iptables("-t", table, "-F", chain);
            }
            foreach (var chain in own)
            {
                Iptables("-t", table, "-X", chain);
            }
        }
    }

    /// <summary>Every rule of the engine (for the "never duplicated" checks).</summary>
    public static List<string> Rules(string prefix)
    {
        var chains = prefix.ToUpperInvariant();
        var result = new List<string>();
        foreach (var table in new[] { "filter", "nat" })
        {
            result.AddRange(Iptables("-t", table, "-S").Split('\n')
                .Where(l => l.StartsWith("-A ", StringComparison.Ordinal) && l.Split(' ').Any(w => w.StartsWith(chains, StringComparison.Ordinal) || w.StartsWith(prefix, StringComparison.Ordinal)))
                .Select(l => table + " " + l));
        }
        return result;
    }

    private static string Iptables(params string[] arguments)
    {
        var info = new ProcessStartInfo("iptables") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-w");
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException("cannot run iptables");
        var output = process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return output;
    }
}
