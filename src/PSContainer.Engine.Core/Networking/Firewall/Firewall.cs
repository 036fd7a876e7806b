namespace PSContainer.Engine.Core.Networking.Firewall;

/// <summary>
/// Applies rule sets idempotently: a rule is added only when `iptables -C` does not find it, so an
/// engine that restarts (or crashed half way) never duplicates rules; removal deletes every copy.
/// </summary>
public sealed class Firewall(IIptables iptables, ChainNames chains)
{
    private readonly Lock _lock = new();

    public ChainNames Chains => chains;

    /// <summary>Creates the engine's chains and the jumps into them.</summary>
    public void EnsureBase()
    {
        lock (_lock)
        {
            foreach (var (table, chain) in BridgeRules.Chains(chains))
            {
                if (iptables.Run(["-t", table, "-n", "-L", chain]).ExitCode != 0)
                {
                    Require(iptables.Run(["-t", table, "-N", chain]), $"create chain {chain} in table {table}");
                }
            }
            foreach (var (rule, insert) in BridgeRules.Base(chains))
            {
                EnsureLocked(rule, insert);
            }
        }
    }

    public void Ensure(IEnumerable<IptablesRule> rules)
    {
        lock (_lock)
        {
            foreach (var rule in rules)
            {
                EnsureLocked(rule, insert: false);
            }
        }
    }

    /// <summary>Deletes each rule (all copies); missing rules are fine.</summary>
    public void Remove(IEnumerable<IptablesRule> rules)
    {
        lock (_lock)
        {
            foreach (var rule in rules.Reverse())
            {
                for (var copies = 0; copies < 16 && iptables.Run(rule.Command("-C")).ExitCode == 0; copies++)
                {
                    Require(iptables.Run(rule.Command("-D")), $"delete rule {rule}");
                }
            }
        }
    }

    /// <summary>
    /// Removes the jumps and the engine's chains (flushed first). For tests and for an engine that
    /// is told to clean up; rules of other engines live in other chains and stay.
    /// </summary>
    public void RemoveAll()
    {
        lock (_lock)
        {
            foreach (var (rule, _) in BridgeRules.Base(chains))
            {
                while (iptables.Run(rule.Command("-C")).ExitCode == 0 && iptables.Run(rule.Command("-D")).ExitCode == 0)
                {
                }
            }
            foreach (var (table, chain) in BridgeRules.Chains(chains))
            {
                iptables.Run(["-t", table, "-F", chain]);
            }
            foreach (var (table, chain) in BridgeRules.Chains(chains))
            {
                iptables.Run(["-t", table, "-X", chain]);
            }
        }
    }

    private void EnsureLocked(IptablesRule rule, bool insert)
    {
        if (iptables.Run(rule.Command("-C")).ExitCode == 0)
        {
            return;
        }
        var command = insert ? [.. new[] { "-t", rule.Table, "-I", rule.Chain, "1" }.Concat(rule.Spec)] : rule.Command("-A");
        Require(iptables.Run(command), $"add rule {rule}");
    }

    private static void Require(IptablesResult result, string what)
    {
        if (result.ExitCode != 0)
        {
            throw new FirewallException($"iptables: {what}: {result.Error} (exit {result.ExitCode})");
        }
    }
}

/// <summary>An iptables command failed; the message names the rule and iptables' own error.</summary>
public sealed class FirewallException(string message) : Exception(message);
