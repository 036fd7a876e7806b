namespace PSContainer.Engine.Core.Networking.Firewall;

/// <summary>One rule: its table, chain and match/target arguments (what follows "-A CHAIN").</summary>
public sealed record IptablesRule(string Table, string Chain, IReadOnlyList<string> Spec)
{
    public IReadOnlyList<string> Command(string operation) => [.. new[] { "-t", Table, operation, Chain }.Concat(Spec)];

    public override string ToString() => string.Join(' ', Command("-A"));
}
