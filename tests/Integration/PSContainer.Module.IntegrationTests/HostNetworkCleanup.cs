using System.Diagnostics;

namespace PSContainer.Module.IntegrationTests;

/// <summary>
/// Removes what a test engine left on the host under its network prefix: iptables rules and chains
/// (by `iptables -S`), then links (bridges first detach their ports; a veth end takes its peer along).
/// Uses the ip and iptables tools, since this project has no netlink code of its own.
/// </summary>
internal static class HostNetworkCleanup
{
    public static void RemoveAll(string prefix)
    {
        var chains = prefix.ToUpperInvariant();
        foreach (var table in new[] { "filter", "nat" })
        {
            var (ok, listing) = Run("iptables", "-t", table, "-S");
            if (!ok)
            {
                continue;
            }
            var lines = listing.Split('\n');
            foreach (var line in lines.Where(l => l.StartsWith("-A ", StringComparison.Ordinal)).Reverse())
            {
                var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (words.Any(w => w.StartsWith(chains, StringComparison.Ordinal) || w.StartsWith(prefix, StringComparison.Ordinal)))
                {
                    words[0] = "-D";
                    Run("iptables", [.. new[] { "-t", table }.Concat(words)]);
                }
            }
            var own = lines.Where(l => l.StartsWith("-N " + chains, StringComparison.Ordinal)).Select(l => l[3..].Trim()).ToList();
            foreach (var chain in own)
            {
                Run("iptables", "-t", table, "-F", chain);
            }
            foreach (var chain in own)
            {
                Run("iptables", "-t", table, "-X", chain);
            }
        }
        var (listed, links) = Run("ip", "-o", "link", "show");
        if (!listed)
        {
            return;
        }
        // "12: mab12-3f4e@if11: <...>" → "mab12-3f4e"
        var names = links.Split('\n')
            .Select(l => l.Split(':', 3))
            .Where(p => p.Length == 3)
            .Select(p => p[1].Trim().Split('@')[0])
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .ToList();
        foreach (var name in names.OrderBy(n => n.StartsWith(prefix + "v", StringComparison.Ordinal) ? 0 : 1))
        {
            Run("ip", "link", "delete", name);
        }
    }

    private static (bool Ok, string Output) Run(string file, params string[] args)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = process.StandardOutput.ReadToEndAsync();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode == 0, output.Result);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (false, ""); // the tool is not installed: nothing of ours can exist either
        }
    }
}
