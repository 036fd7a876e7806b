namespace PSContainer.Engine.Core.Networking.Firewall;

/// <summary>
/// The engine's own chains, all named from one prefix ("PSC" by default; tests give each engine
/// its own), so that several engines and a dockerd beside them never touch each other's rules.
/// </summary>
public sealed record ChainNames(string Prefix)
{
    public static ChainNames For(string networkPrefix) => new(networkPrefix.ToUpperInvariant());

    /// <summary>nat: the DNAT rules of published ports; filter: the ACCEPT rules that let them through.</summary>
    public string Ports => Prefix;

    public string Forward => Prefix + "-FORWARD";

    public string IsolationStage1 => Prefix + "-ISOLATION-STAGE-1";

    public string IsolationStage2 => Prefix + "-ISOLATION-STAGE-2";
}
