using System.Net;
using System.Security.Cryptography;
using PSContainer.Engine.Core.Networking;
using PSContainer.Engine.Core.Networking.Bridge;
using PSContainer.Engine.Core.Networking.Firewall;
using PSContainer.Engine.Core.Networking.Ipam;
using PSContainer.Engine.Core.Networking.Netlink;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Engine.Core.IntegrationTests.Networking.Bridge;

/// <summary>
/// The rtnetlink client and the bridge driver against the real kernel: a bridge named by a random
/// test prefix, a pinned network namespace in a temp directory, a veth whose container end is born
/// inside it. The iptables runner is a no-op here (the engine tests cover the rules). Everything
/// is removed in Dispose, also after a failure.
/// </summary>
public sealed class BridgeDriverTests : IDisposable
{
    private readonly string _prefix = "u" + Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant();
    private readonly string _dir = Directory.CreateTempSubdirectory("psc-netns-").FullName;

    private string Bridge => _prefix + "br";

    private string Namespace => Path.Combine(_dir, "ns");

    [RequiresRootFact]
    public void A_pinned_namespace_has_loopback_up_and_nothing_else()
    {
        NetworkNamespace.Create(Namespace);
        Assert.True(NetworkNamespace.IsMounted(Namespace));
        NetworkNamespace.Create(Namespace); // idempotent

        using var inside = NetworkNamespace.OpenNetlink(Namespace);
        var links = inside.Links().Where(l => !l.Name.Contains("tnl", StringComparison.Ordinal) && l.Name is not ("sit0" or "tunl0" or "gre0" or "gretap0" or "erspan0")).ToList();
        var lo = Assert.Single(links);
        Assert.Equal("lo", lo.Name);
        Assert.NotEqual(0u, lo.Flags & 1u); // IFF_UP

        NetworkNamespace.Remove(Namespace);
        Assert.False(File.Exists(Namespace));
        NetworkNamespace.Remove(Namespace); // missing is fine
    }

    [RequiresRootFact]
    public void An_endpoint_is_wired_into_the_namespace_and_removed_again()
    {
        var driver = new BridgeDriver(new Firewall(new NoIptables(), ChainNames.For(_prefix)), ipForwardPath: Path.Combine(_dir, "ip_forward"));
        var network = new BridgeNetwork(Bridge, Ipv4Subnet.Parse("10.231.0.0/24"), IPAddress.Parse("10.231.0.1"), 1400, Internal: false);
        driver.CreateNetwork(network);
        driver.CreateNetwork(network); // engine restart: the existing bridge is reused
        NetworkNamespace.Create(Namespace);

        var address = IPAddress.Parse("10.231.0.7");
        var endpoint = new BridgeEndpoint(_prefix + "v1", "eth0", address, MacAddresses.FromIPv4(address), network.Gateway);
        driver.Join(network, Namespace, endpoint);

        using (var host = RtNetlinkClient.Open())
        {
            var bridgeIndex = host.RequireIndex(Bridge);
            var veth = host.Links().Single(l => l.Name == endpoint.HostVeth);
            Assert.Equal(bridgeIndex, veth.Master);
            Assert.NotEqual(0u, veth.Flags & 1u);
        }
        using (var inside = NetworkNamespace.OpenNetlink(Namespace))
        {
            var eth0 = inside.Links().Single(l => l.Name == "eth0");
            Assert.NotEqual(0u, eth0.Flags & 1u);
        }
        // Address, route, MAC and MTU as the container sees them (iproute2 as the independent witness).
        var inspected = Run("nsenter", $"--net={Namespace}", "sh", "-c", "ip -o -4 addr show eth0; ip route; ip -o link show eth0");
        Assert.Contains("inet 10.231.0.7/24", inspected, StringComparison.Ordinal);
        Assert.Contains("default via 10.231.0.1 dev eth0", inspected, StringComparison.Ordinal);
        Assert.Contains("link/ether 02:42:0a:e7:00:07", inspected, StringComparison.Ordinal);
        Assert.Contains("mtu 1400", inspected, StringComparison.Ordinal);
        Assert.Contains("inet 10.231.0.1/24", Run("ip", "-o", "-4", "addr", "show", Bridge), StringComparison.Ordinal);
        Assert.Equal("1", File.ReadAllText($"/sys/class/net/{endpoint.HostVeth}/brport/hairpin_mode").Trim());

        BridgeDriver.Leave(endpoint);
        using (var host = RtNetlinkClient.Open())
        {
            Assert.Null(host.IndexOf(endpoint.HostVeth));
        }
        using (var inside = NetworkNamespace.OpenNetlink(Namespace))
        {
            Assert.DoesNotContain(inside.Links(), l => l.Name == "eth0");
        }
        driver.DeleteNetwork(network);
        using (var host = RtNetlinkClient.Open())
        {
            Assert.Null(host.IndexOf(Bridge));
        }
    }

    [RequiresRootFact]
    public void Netlink_errors_name_the_operation_and_errno()
    {
        using var host = RtNetlinkClient.Open();
        var e = Assert.Throws<PSContainer.Interop.Linux.SyscallException>(() => host.SetUp(_prefix + "missing"));
        Assert.Contains(_prefix + "missing", e.Message, StringComparison.Ordinal);
        Assert.Contains("ENODEV", e.Message, StringComparison.Ordinal);
        Assert.False(host.DeleteLink(_prefix + "missing"));
    }

    public void Dispose()
    {
        try
        {
            NetworkNamespace.Remove(Namespace);
        }
        catch (IOException)
        {
        }
        using (var host = RtNetlinkClient.Open())
        {
            foreach (var link in host.Links().Where(l => l.Name.StartsWith(_prefix, StringComparison.Ordinal)))
            {
                host.DeleteLink(link.Name);
            }
        }
        Directory.Delete(_dir, recursive: true);
    }

    private static string Run(string file, params string[] arguments)
    {
        var info = new System.Diagnostics.ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = System.Diagnostics.Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return output;
    }

    private sealed class NoIptables : IIptables
    {
        public IptablesResult Run(IReadOnlyList<string> arguments) => new(0, "");
    }
}
