using System.Net;
using PSContainer.Engine.Core.Networking.Firewall;
using PSContainer.Engine.Core.Networking.Ipam;
using Xunit;

namespace PSContainer.Engine.Core.Tests.Networking;

/// <summary>Records iptables invocations and answers -C from the rules it has seen added (a tiny model of the kernel's tables).</summary>
internal sealed class RecordingIptables : IIptables
{
    private readonly List<string> _rules = [];
    private readonly HashSet<string> _chains = ["filter FORWARD", "nat PREROUTING", "nat OUTPUT", "nat POSTROUTING"];

    public List<string> Calls { get; } = [];

    public IReadOnlyList<string> Rules => _rules;

    public IptablesResult Run(IReadOnlyList<string> arguments)
    {
        Calls.Add(string.Join(' ', arguments));
        var table = arguments[1];
        var operation = arguments[2];
        var chain = arguments[3];
        var spec = string.Join(' ', arguments.Skip(4));
        var key = $"{table} {chain} {spec}";
        switch (operation)
        {
            case "-L":
                return _chains.Contains($"{table} {arguments[4]}") ? new(0, "") : new(1, "No chain/target/match by that name.");
            case "-n" when arguments[3] == "-L":
                return _chains.Contains($"{table} {arguments[4]}") ? new(0, "") : new(1, "No chain/target/match by that name.");
            case "-N":
                return _chains.Add($"{table} {chain}") ? new(0, "") : new(1, "Chain already exists.");
            case "-C":
                return _rules.Contains(key) ? new(0, "") : new(1, "Bad rule");
            case "-A":
                _rules.Add(key);
                return new(0, "");
            case "-I":
                _rules.Insert(0, $"{table} {chain} {string.Join(' ', arguments.Skip(5))}");
                return new(0, "");
            case "-D":
                return _rules.Remove(key) ? new(0, "") : new(1, "Bad rule");
            case "-F":
                _rules.RemoveAll(r => r.StartsWith($"{table} {chain} ", StringComparison.Ordinal));
                return new(0, "");
            case "-X":
                return _chains.Remove($"{table} {chain}") ? new(0, "") : new(1, "No chain");
            default:
                return new(2, "unexpected " + operation);
        }
    }
}

public sealed class FirewallTests
{
    private static readonly ChainNames Chains = ChainNames.For("pt1");

    private static BridgeRuleInput Network(bool isInternal = false) => new("pt1-abc", Ipv4Subnet.Parse("10.77.0.0/16"), isInternal);

    [Fact]
    public void Chains_are_named_from_the_prefix()
    {
        Assert.Equal(["PT1", "PT1", "PT1-FORWARD", "PT1-ISOLATION-STAGE-1", "PT1-ISOLATION-STAGE-2"], BridgeRules.Chains(Chains).Select(c => c.Chain));
    }

    [Fact]
    public void A_network_forwards_isolates_and_masquerades()
    {
        var rules = BridgeRules.Network(Chains, Network()).Select(r => r.ToString()).ToList();
        Assert.Equal(
        [
            "-t filter -A PT1-ISOLATION-STAGE-1 -i pt1-abc ! -o pt1-abc -j PT1-ISOLATION-STAGE-2",
            "-t filter -A PT1-ISOLATION-STAGE-2 -o pt1-abc -j DROP",
            "-t filter -A PT1-FORWARD -o pt1-abc -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
            "-t filter -A PT1-FORWARD -o pt1-abc -j PT1",
            "-t filter -A PT1-FORWARD -i pt1-abc ! -o pt1-abc -j ACCEPT",
            "-t filter -A PT1-FORWARD -i pt1-abc -o pt1-abc -j ACCEPT",
            "-t nat -A POSTROUTING -s 10.77.0.0/16 ! -o pt1-abc -j MASQUERADE",
            "-t nat -A PT1 -i pt1-abc -j RETURN",
        ], rules);
    }

    [Fact]
    public void An_internal_network_has_no_way_out_and_no_masquerade()
    {
        var rules = BridgeRules.Network(Chains, Network(isInternal: true)).Select(r => r.ToString()).ToList();
        Assert.Contains("-t filter -A PT1-ISOLATION-STAGE-1 ! -d 10.77.0.0/16 -i pt1-abc -j DROP", rules);
        Assert.Contains("-t filter -A PT1-ISOLATION-STAGE-1 ! -s 10.77.0.0/16 -o pt1-abc -j DROP", rules);
        Assert.DoesNotContain(rules, r => r.Contains("MASQUERADE", StringComparison.Ordinal));
        Assert.DoesNotContain(rules, r => r.Contains("-i pt1-abc ! -o pt1-abc -j ACCEPT", StringComparison.Ordinal));
    }

    [Fact]
    public void A_published_port_gets_dnat_accept_and_hairpin_masquerade()
    {
        var rules = BridgeRules.Port(Chains, new PortRuleInput("pt1-abc", "tcp", IPAddress.Loopback, 8080, IPAddress.Parse("10.77.0.2"), 80))
            .Select(r => r.ToString()).ToList();
        Assert.Equal(
        [
            "-t nat -A PT1 ! -i pt1-abc -d 127.0.0.1/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.77.0.2:80",
            "-t filter -A PT1 -d 10.77.0.2/32 ! -i pt1-abc -o pt1-abc -p tcp -m tcp --dport 80 -j ACCEPT",
            "-t nat -A POSTROUTING -s 10.77.0.2/32 -d 10.77.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE",
        ], rules);
    }

    [Fact]
    public void Any_address_publishes_without_a_destination_match()
    {
        var dnat = BridgeRules.Port(Chains, new PortRuleInput("b", "udp", IPAddress.Any, 53, IPAddress.Parse("10.77.0.2"), 53))[0].ToString();
        Assert.Equal("-t nat -A PT1 ! -i b -p udp -m udp --dport 53 -j DNAT --to-destination 10.77.0.2:53", dnat);
    }

    [Fact]
    public void Applying_twice_never_duplicates_rules()
    {
        var iptables = new RecordingIptables();
        var firewall = new Firewall(iptables, Chains);

        firewall.EnsureBase();
        firewall.Ensure(BridgeRules.Network(Chains, Network()));
        var once = iptables.Rules.ToList();
        firewall.EnsureBase();
        firewall.Ensure(BridgeRules.Network(Chains, Network()));

        Assert.Equal(once, iptables.Rules);
        Assert.Equal("filter FORWARD -j PT1-FORWARD", iptables.Rules.First(r => r.StartsWith("filter FORWARD", StringComparison.Ordinal)));
        Assert.Equal(5, iptables.Calls.Count(c => c.Contains(" -N ", StringComparison.Ordinal))); // chains made once
    }

    [Fact]
    public void Removing_a_network_leaves_the_base_and_other_networks()
    {
        var iptables = new RecordingIptables();
        var firewall = new Firewall(iptables, Chains);
        var other = new BridgeRuleInput("pt1-def", Ipv4Subnet.Parse("10.78.0.0/16"), false);
        firewall.EnsureBase();
        firewall.Ensure(BridgeRules.Network(Chains, Network()));
        firewall.Ensure(BridgeRules.Network(Chains, other));

        firewall.Remove(BridgeRules.Network(Chains, Network()));

        Assert.DoesNotContain(iptables.Rules, r => r.Contains("pt1-abc", StringComparison.Ordinal));
        Assert.Equal(8, iptables.Rules.Count(r => r.Contains("pt1-def", StringComparison.Ordinal) || r.Contains("10.78.0.0/16", StringComparison.Ordinal)));
        Assert.Contains("filter FORWARD -j PT1-FORWARD", iptables.Rules);
    }

    [Fact]
    public void Remove_all_drops_jumps_and_chains()
    {
        var iptables = new RecordingIptables();
        var firewall = new Firewall(iptables, Chains);
        firewall.EnsureBase();
        firewall.Ensure(BridgeRules.Network(Chains, Network()));

        firewall.RemoveAll();

        Assert.DoesNotContain(iptables.Rules, r => r.Contains("PT1", StringComparison.Ordinal) && !r.StartsWith("nat POSTROUTING", StringComparison.Ordinal));
    }

    [Fact]
    public void A_failing_iptables_names_the_rule_and_its_error()
    {
        var firewall = new Firewall(new FailingIptables(), Chains);
        var e = Assert.Throws<FirewallException>(() => firewall.Ensure(BridgeRules.Network(Chains, Network())));
        Assert.Contains("PT1-ISOLATION-STAGE-1", e.Message, StringComparison.Ordinal);
        Assert.Contains("Permission denied", e.Message, StringComparison.Ordinal);
    }

    private sealed class FailingIptables : IIptables
    {
        public IptablesResult Run(IReadOnlyList<string> arguments) => new(arguments[2] == "-C" ? 1 : 4, "Permission denied (you must be root)");
    }
}
