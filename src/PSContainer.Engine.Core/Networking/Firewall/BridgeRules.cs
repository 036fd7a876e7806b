using System.Globalization;
using System.Net;
using PSContainer.Engine.Core.Networking.Ipam;

namespace PSContainer.Engine.Core.Networking.Firewall;

/// <summary>What the rules of one bridge network depend on.</summary>
public sealed record BridgeRuleInput(string Bridge, Ipv4Subnet Subnet, bool Internal);

/// <summary>One published port as the NAT rules see it.</summary>
public sealed record PortRuleInput(string Bridge, string Protocol, IPAddress? HostIp, int HostPort, IPAddress ContainerIp, int ContainerPort);

/// <summary>
/// The iptables rules of the bridge driver, as pure functions (the tests assert them):
/// jumps from the built-in chains into the engine's chains, per network forwarding, isolation
/// between networks and masquerading, and per published port a DNAT rule and the ACCEPT rule that
/// lets the translated packet through. Modelled on Docker's rule layout, with our own chain names.
/// </summary>
public static class BridgeRules
{
    /// <summary>Chains to create, (table, chain), before any rule refers to them.</summary>
    public static IReadOnlyList<(string Table, string Chain)> Chains(ChainNames chains) =>
    [
        ("nat", chains.Ports),
        ("filter", chains.Ports),
        ("filter", chains.Forward),
        ("filter", chains.IsolationStage1),
        ("filter", chains.IsolationStage2),
    ];

    /// <summary>Jumps from the built-in chains. FORWARD's jump goes first so a DROP policy or dockerd's rules do not see our traffic first.</summary>
    public static IReadOnlyList<(IptablesRule Rule, bool Insert)> Base(ChainNames chains) =>
    [
        (new IptablesRule("filter", "FORWARD", ["-j", chains.Forward]), true),
        (new IptablesRule("filter", chains.Forward, ["-j", chains.IsolationStage1]), true),
        (new IptablesRule("nat", "PREROUTING", ["-m", "addrtype", "--dst-type", "LOCAL", "-j", chains.Ports]), false),
        // Loopback destinations are left to the userland proxy: DNAT of 127.0.0.1 would need route_localnet.
        (new IptablesRule("nat", "OUTPUT", ["!", "-d", "127.0.0.0/8", "-m", "addrtype", "--dst-type", "LOCAL", "-j", chains.Ports]), false),
    ];

    /// <summary>The rules of one network, in the order they are appended.</summary>
    public static IReadOnlyList<IptablesRule> Network(ChainNames chains, BridgeRuleInput network)
    {
        var bridge = network.Bridge;
        var subnet = network.Subnet.ToString();
        var rules = new List<IptablesRule>();
        if (network.Internal)
        {
            // No way in or out of the subnet, only between its own containers.
            rules.Add(new IptablesRule("filter", chains.IsolationStage1, ["!", "-s", subnet, "-o", bridge, "-j", "DROP"]));
            rules.Add(new IptablesRule("filter", chains.IsolationStage1, ["!", "-d", subnet, "-i", bridge, "-j", "DROP"]));
            rules.Add(new IptablesRule("filter", chains.Forward, ["-i", bridge, "-o", bridge, "-j", "ACCEPT"]));
            return rules;
        }
        rules.Add(new IptablesRule("filter", chains.IsolationStage1, ["-i", bridge, "!", "-o", bridge, "-j", chains.IsolationStage2]));
        rules.Add(new IptablesRule("filter", chains.IsolationStage2, ["-o", bridge, "-j", "DROP"]));
        rules.Add(new IptablesRule("filter", chains.Forward, ["-o", bridge, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"]));
        rules.Add(new IptablesRule("filter", chains.Forward, ["-o", bridge, "-j", chains.Ports]));
        rules.Add(new IptablesRule("filter", chains.Forward, ["-i", bridge, "!", "-o", bridge, "-j", "ACCEPT"]));
        rules.Add(new IptablesRule("filter", chains.Forward, ["-i", bridge, "-o", bridge, "-j", "ACCEPT"]));
        rules.Add(new IptablesRule("nat", "POSTROUTING", ["-s", subnet, "!", "-o", bridge, "-j", "MASQUERADE"]));
        rules.Add(new IptablesRule("nat", chains.Ports, ["-i", bridge, "-j", "RETURN"]));
        return rules;
    }

    /// <summary>DNAT to the container, the ACCEPT for the translated packet, and masquerading of a container reaching itself.</summary>
    public static IReadOnlyList<IptablesRule> Port(ChainNames chains, PortRuleInput port)
    {
        var protocol = port.Protocol;
        var container = port.ContainerIp + "/32";
        var destination = port.ContainerIp + ":" + port.ContainerPort.ToString(CultureInfo.InvariantCulture);
        var dnat = new List<string> { "!", "-i", port.Bridge };
        if (port.HostIp is { } hostIp && !hostIp.Equals(IPAddress.Any))
        {
            dnat.AddRange(["-d", hostIp + "/32"]);
        }
        dnat.AddRange(["-p", protocol, "-m", protocol, "--dport", port.HostPort.ToString(CultureInfo.InvariantCulture), "-j", "DNAT", "--to-destination", destination]);
        var containerPort = port.ContainerPort.ToString(CultureInfo.InvariantCulture);
        return
        [
            new IptablesRule("nat", chains.Ports, dnat),
            new IptablesRule("filter", chains.Ports, ["-d", container, "!", "-i", port.Bridge, "-o", port.Bridge, "-p", protocol, "-m", protocol, "--dport", containerPort, "-j", "ACCEPT"]),
            new IptablesRule("nat", "POSTROUTING", ["-s", container, "-d", container, "-p", protocol, "-m", protocol, "--dport", containerPort, "-j", "MASQUERADE"]),
        ];
    }
}
