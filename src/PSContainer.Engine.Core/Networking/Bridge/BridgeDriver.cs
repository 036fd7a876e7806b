using System.Net;
using PSContainer.Engine.Core.Networking.Firewall;
using PSContainer.Engine.Core.Networking.Ipam;
using PSContainer.Engine.Core.Networking.Netlink;

namespace PSContainer.Engine.Core.Networking.Bridge;

/// <summary>A bridge network as the driver needs it.</summary>
public sealed record BridgeNetwork(string BridgeName, Ipv4Subnet Subnet, IPAddress Gateway, int? Mtu, bool Internal)
{
    public BridgeRuleInput Rules => new(BridgeName, Subnet, Internal);
}

/// <summary>
/// One container's attachment to a bridge network: the host end of its veth pair, the name of the
/// other end inside the container (eth0, eth1, …), its address and MAC, and the gateway when this
/// endpoint gives the container its default route.
/// </summary>
public sealed record BridgeEndpoint(string HostVeth, string InterfaceName, IPAddress Address, byte[] Mac, IPAddress? DefaultGateway);

/// <summary>
/// Docker's bridge driver over rtnetlink and iptables: a Linux bridge per network holding the
/// gateway address, a veth pair per endpoint whose container end is created directly inside the
/// container's network namespace, forwarding on, and the firewall rules of the network.
/// Network create/remove spawn iptables; joining and leaving an endpoint use only netlink.
/// </summary>
public sealed class BridgeDriver(Firewall.Firewall firewall, string ipForwardPath = "/proc/sys/net/ipv4/ip_forward")
{
    public Firewall.Firewall Firewall => firewall;

    /// <summary>Creates (or, after an engine restart, re-checks) the bridge, its address and its rules. Idempotent.</summary>
    public void CreateNetwork(BridgeNetwork network)
    {
        using (var netlink = RtNetlinkClient.Open())
        {
            var created = netlink.CreateBridge(network.BridgeName, network.Mtu);
            try
            {
                netlink.AddAddress(network.BridgeName, network.Gateway, network.Subnet.PrefixLength);
                netlink.SetUp(network.BridgeName);
            }
            catch when (created)
            {
                netlink.DeleteLink(network.BridgeName);
                throw;
            }
        }
        EnableForwarding();
        firewall.EnsureBase();
        firewall.Ensure(BridgeRules.Network(firewall.Chains, network.Rules));
    }

    /// <summary>Removes the network's rules and its bridge (with any ports left on it).</summary>
    public void DeleteNetwork(BridgeNetwork network)
    {
        firewall.Remove(BridgeRules.Network(firewall.Chains, network.Rules));
        using var netlink = RtNetlinkClient.Open();
        netlink.DeleteLink(network.BridgeName);
    }

    /// <summary>True when the network's bridge exists on the host.</summary>
    public static bool BridgeExists(string name)
    {
        using var netlink = RtNetlinkClient.Open();
        return netlink.IndexOf(name) is not null;
    }

    /// <summary>
    /// Wires an endpoint: the veth pair (its container end born in <paramref name="namespacePath"/>
    /// with its MAC and MTU), the host end on the bridge with hairpin and up, then inside the
    /// container the address, the link up and the default route.
    /// </summary>
    public void Join(BridgeNetwork network, string namespacePath, BridgeEndpoint endpoint)
    {
        using var host = RtNetlinkClient.Open();
        using (var target = NetworkNamespace.OpenNamespace(namespacePath))
        {
            host.CreateVethPair(endpoint.HostVeth, endpoint.InterfaceName, (int)target.DangerousGetHandle(), endpoint.Mac, network.Mtu);
        }
        try
        {
            host.SetMaster(endpoint.HostVeth, network.BridgeName);
            host.SetHairpin(endpoint.HostVeth);
            host.SetUp(endpoint.HostVeth);
            using var inside = NetworkNamespace.OpenNetlink(namespacePath);
            inside.AddAddress(endpoint.InterfaceName, endpoint.Address, network.Subnet.PrefixLength);
            inside.SetUp(endpoint.InterfaceName);
            if (endpoint.DefaultGateway is { } gateway)
            {
                inside.AddDefaultRoute(endpoint.InterfaceName, gateway);
            }
        }
        catch
        {
            host.DeleteLink(endpoint.HostVeth); // takes the container end with it
            throw;
        }
    }

    /// <summary>Removes the endpoint's veth pair (deleting one end deletes both). Missing is fine.</summary>
    public static void Leave(BridgeEndpoint endpoint)
    {
        using var host = RtNetlinkClient.Open();
        host.DeleteLink(endpoint.HostVeth);
    }

    /// <summary>Turns on IPv4 forwarding, which routing out of the bridges needs (Docker does the same).</summary>
    private void EnableForwarding()
    {
        if (File.Exists(ipForwardPath) && File.ReadAllText(ipForwardPath).Trim() != "1")
        {
            File.WriteAllText(ipForwardPath, "1");
        }
    }
}
