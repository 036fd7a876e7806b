using System.Net;
using System.Net.Sockets;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Engine.IntegrationTests.Networking;

/// <summary>
/// Networking through the real docker CLI: user networks, isolation, --network none, published
/// ports (reached from the host on 127.0.0.1 only), connect/disconnect of a running container.
/// Traffic goes to 127.0.0.0/8 and into the namespaces the engine makes for these containers.
/// wget writes to a file and is bounded by timeout(1): busybox 1.35's wget crashes (SIGSEGV) with
/// "-O -" or "-T" under the default seccomp profile here (a runtime matter, not networking).
/// </summary>
public sealed class NetworkingTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    private EngineProcess Engine => fixture.Engine!;

    /// <summary>A busybox httpd serving "hello NAME" on port 80.</summary>
    private string RunWebServer(string name, string network, string extra = "")
    {
        Engine.DockerOk($"run -d --name {name} --network {network} {extra} busybox sh -c 'mkdir -p /www && echo hello {name} > /www/index.html && exec httpd -f -p 80 -h /www'");
        return Engine.DockerOk($"inspect -f '{{{{(index .NetworkSettings.Networks \"{network}\").IPAddress}}}}' {name}").Trim();
    }

    private void Cleanup(params string[] containers)
    {
        foreach (var container in containers)
        {
            Engine.Docker("rm -f " + container);
        }
    }

    [RequiresRootFact]
    public void ContainersOnAUserNetworkReachEachOtherAndOtherNetworksCannot()
    {
        Engine.DockerOk("network create net-a");
        Engine.DockerOk("network create net-b");
        try
        {
            var ip = RunWebServer("web-a", "net-a");
            Assert.True(IPAddress.TryParse(ip, out _), $"no address for web-a: '{ip}'; {Engine.Log}");

            var ping = Engine.Docker($"run --rm --network net-a busybox ping -c1 -W5 {ip}");
            Assert.True(ping.ExitCode == 0, ping.ToString());
            var fetched = Engine.Docker($"run --rm --network net-a busybox sh -c '{Fetch(ip)}'");
            Assert.True(fetched.ExitCode == 0, fetched.ToString());
            Assert.Equal("hello web-a\n", fetched.Stdout);

            var blocked = Engine.Docker($"run --rm --network net-b busybox sh -c 'timeout 3 wget -q -O /tmp/page http://{ip}/ && cat /tmp/page'");
            Assert.NotEqual(0, blocked.ExitCode);
            Assert.NotEqual(0, Engine.Docker($"run --rm --network net-b busybox ping -c1 -W2 {ip}").ExitCode);

            // Network inspect lists the container with its endpoint.
            var inspect = Engine.DockerOk("network inspect -f '{{range .Containers}}{{.Name}} {{.IPv4Address}} {{.MacAddress}}{{end}}' net-a").Trim();
            Assert.StartsWith($"web-a {ip}/", inspect, StringComparison.Ordinal);
            Assert.EndsWith(":" + string.Join(':', ip.Split('.').Select(b => int.Parse(b, System.Globalization.CultureInfo.InvariantCulture).ToString("x2", System.Globalization.CultureInfo.InvariantCulture))), inspect, StringComparison.Ordinal);
        }
        finally
        {
            Cleanup("web-a");
            Engine.Docker("network rm net-a net-b");
        }
    }

    [RequiresRootFact]
    public void TheDefaultBridgeGivesAnAddressAndADefaultRoute()
    {
        var gateway = Engine.DockerOk("network inspect -f '{{range .IPAM.Config}}{{.Gateway}}{{end}}' bridge").Trim();
        var output = Engine.DockerOk("run --rm busybox sh -c 'ip -o -4 addr show eth0; ip route'");
        Assert.Contains("eth0", output, StringComparison.Ordinal);
        Assert.Contains($"default via {gateway} dev eth0", output, StringComparison.Ordinal);
        Assert.Contains(Engine.NetworkPrefix + "0", Engine.DockerOk("network inspect -f '{{index .Options \"com.docker.network.bridge.name\"}}' bridge"), StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public void NetworkNoneHasOnlyLoopbackAndItIsUp()
    {
        // Fallback tunnel devices (tunl0, sit0, …) appear in every namespace when their modules are
        // loaded on the host; they are the kernel's, not ours, and stay down.
        string[] kernelTunnels = ["tunl0", "sit0", "ip6tnl0", "gre0", "gretap0", "erspan0", "ip_vti0", "ip6_vti0", "ip6gre0"];
        var links = Engine.DockerOk("run --rm --network none busybox ip -o link").Trim().Split('\n')
            .Where(l => !kernelTunnels.Any(t => l.Contains($": {t}@", StringComparison.Ordinal) || l.Contains($": {t}:", StringComparison.Ordinal)))
            .ToList();
        var link = Assert.Single(links);
        Assert.Contains(": lo:", link, StringComparison.Ordinal);
        Assert.Contains("UP", link, StringComparison.Ordinal);
        Assert.Equal("0\n", Engine.DockerOk("run --rm --network none busybox sh -c 'ping -c1 -W2 127.0.0.1 >/dev/null; echo $?'"));
    }

    [RequiresRootFact]
    public void NetworkHostSharesTheHostsInterfacesAndName()
    {
        // The host's own links (not a namespace of ours) and its hostname, in a UTS namespace of the
        // container's (Docker's way), while --uts host shares the name without setting one.
        // Other test classes add and remove links meanwhile: what existed before and after must be
        // inside, and nothing inside may be unknown to the host.
        static HashSet<string> HostLinks() => [.. File.ReadAllLines("/proc/net/dev").Skip(2).Select(l => l.Split(':')[0].Trim())];
        var before = HostLinks();
        var inside = Engine.DockerOk("run --rm --network host busybox sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1'")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).ToHashSet();
        var after = HostLinks();
        Assert.Subset(inside, before.Intersect(after).ToHashSet());
        Assert.Superset(inside, before.Union(after).ToHashSet());
        Assert.Contains("lo", inside);
        Assert.Equal(Environment.MachineName, Engine.DockerOk("run --rm --network host busybox hostname").Trim());
        Assert.Equal(Environment.MachineName, Engine.DockerOk("run --rm --uts host busybox hostname").Trim());
    }

    [RequiresRootFact]
    public void APortPublishedOnLoopbackIsReachableFromTheHost()
    {
        var port = FreePort();
        try
        {
            RunWebServer("web-p", "bridge", $"-p 127.0.0.1:{port}:80");
            Assert.Equal($"hello web-p\n", Get($"http://127.0.0.1:{port}/"));
            Assert.Equal($"80/tcp -> 127.0.0.1:{port}", Engine.DockerOk("port web-p").Trim());
            Assert.Contains($"127.0.0.1:{port}->80/tcp", Engine.DockerOk("ps --format {{.Ports}} --filter name=web-p"), StringComparison.Ordinal);

            // The same host port again is a clear conflict.
            var second = Engine.Docker($"run -d --name web-p2 -p 127.0.0.1:{port}:80 busybox sleep 60");
            Assert.NotEqual(0, second.ExitCode);
            Assert.Contains($"Bind for 127.0.0.1:{port} failed: port is already allocated", second.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Cleanup("web-p", "web-p2");
        }
        // The port is free again once the container is gone.
        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
    }

    [RequiresRootFact]
    public void PublishAllMapsEveryExposedPort()
    {
        try
        {
            Engine.DockerOk("run -d --name pub-all --expose 80 --expose 81/udp -P busybox sleep 60");
            var ports = Engine.DockerOk("port pub-all").Trim().Split('\n').Select(l => l.Trim()).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(2, ports.Count);
            Assert.Matches(@"^80/tcp -> 0\.0\.0\.0:\d+$", ports[0]);
            Assert.Matches(@"^81/udp -> 0\.0\.0\.0:\d+$", ports[1]);
        }
        finally
        {
            Cleanup("pub-all");
        }
    }

    [RequiresRootFact]
    public void ARunningContainerCanBeConnectedAndDisconnected()
    {
        Engine.DockerOk("network create --subnet 10.213.0.0/24 net-c");
        try
        {
            Engine.DockerOk("run -d --name hotplug busybox sleep 300");
            Engine.DockerOk("network connect --ip 10.213.0.9 --alias db net-c hotplug");
            var addresses = Engine.DockerOk("exec hotplug ip -o -4 addr");
            Assert.Contains("eth1", addresses, StringComparison.Ordinal);
            Assert.Contains("10.213.0.9/24", addresses, StringComparison.Ordinal);
            Assert.Equal("10.213.0.9", Engine.DockerOk("inspect -f '{{(index .NetworkSettings.Networks \"net-c\").IPAddress}}' hotplug").Trim());

            var refused = Engine.Docker("network rm net-c");
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains("active endpoints", refused.Stderr, StringComparison.Ordinal);

            Engine.DockerOk("network disconnect net-c hotplug");
            Assert.DoesNotContain("eth1", Engine.DockerOk("exec hotplug ip -o link"), StringComparison.Ordinal);
            // The address is free again: another container may take it.
            Engine.DockerOk("run --rm --network net-c --ip 10.213.0.9 busybox true");
        }
        finally
        {
            Cleanup("hotplug");
            Engine.Docker("network rm net-c");
        }
    }

    [RequiresRootFact]
    public void StaticAddressesAliasesAndSharedNamespacesFromRun()
    {
        Engine.DockerOk("network create --subnet 10.215.0.0/24 --ip-range 10.215.0.128/25 net-s");
        try
        {
            Engine.DockerOk("run -d --name static-s --network net-s --ip 10.215.0.9 --network-alias db busybox sleep 300");
            Assert.Equal("10.215.0.9 [db]", Engine.DockerOk("inspect -f '{{with index .NetworkSettings.Networks \"net-s\"}}{{.IPAddress}} {{.Aliases}}{{end}}' static-s").Trim());
            // Dynamic addresses come from the --ip-range.
            Assert.Contains("inet 10.215.0.128/24", Engine.DockerOk("run --rm --network net-s busybox ip -o -4 addr show eth0"), StringComparison.Ordinal);
            // container:NAME shares the engine-made namespace, address included.
            Assert.Contains("10.215.0.9/24", Engine.DockerOk("run --rm --network container:static-s busybox ip -o -4 addr show eth0"), StringComparison.Ordinal);
            // A used address, and a static address on the default bridge, are refused.
            var taken = Engine.Docker("run --rm --network net-s --ip 10.215.0.9 busybox true");
            Assert.NotEqual(0, taken.ExitCode);
            Assert.Contains("Address already in use", taken.Stderr, StringComparison.Ordinal);
            var onBridge = Engine.Docker("run --rm --ip 172.17.0.50 busybox true");
            Assert.NotEqual(0, onBridge.ExitCode);
            Assert.Contains("user defined networks only", onBridge.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Cleanup("static-s");
            Engine.Docker("network rm net-s");
        }
    }

    [RequiresRootFact]
    public void NetworksAreListedFilteredAndPruned()
    {
        Engine.DockerOk("network create --label team=x --internal net-l");
        try
        {
            var names = Engine.DockerOk("network ls --format {{.Name}}").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains("bridge", names);
            Assert.Contains("host", names);
            Assert.Contains("none", names);
            Assert.Contains("net-l", names);
            Assert.Equal("net-l", Engine.DockerOk("network ls --filter label=team=x --format {{.Name}}").Trim());
            Assert.Equal("net-l", Engine.DockerOk("network ls --filter type=custom --filter name=net-l --format {{.Name}}").Trim());
            Assert.Equal("true", Engine.DockerOk("network inspect -f {{.Internal}} net-l").Trim());

            var duplicate = Engine.Docker("network create net-l");
            Assert.NotEqual(0, duplicate.ExitCode);
            Assert.Contains("already exists", duplicate.Stderr, StringComparison.Ordinal);
            var overlay = Engine.Docker("network create -d overlay net-o");
            Assert.NotEqual(0, overlay.ExitCode);

            Assert.NotEqual(0, Engine.Docker("network rm bridge").ExitCode);
            Engine.DockerOk("network prune -f --filter label=team=x");
            Assert.NotEqual(0, Engine.Docker("network inspect net-l").ExitCode);
        }
        finally
        {
            Engine.Docker("network rm net-l");
        }
    }

    [RequiresRootFact]
    public void EtcHostsNamesTheContainerAndUserNetworksUseTheEmbeddedResolver()
    {
        Engine.DockerOk("network create net-e");
        try
        {
            var hosts = Engine.DockerOk("run --rm --network net-e --hostname myhost --add-host extra:10.1.2.3 busybox cat /etc/hosts");
            Assert.Matches(@"\n\d+\.\d+\.\d+\.\d+\tmyhost\n", hosts);
            Assert.Contains("10.1.2.3\textra", hosts, StringComparison.Ordinal);
            var resolv = Engine.DockerOk("run --rm --network net-e --dns-search example.test busybox cat /etc/resolv.conf");
            Assert.Contains("nameserver 127.0.0.11", resolv, StringComparison.Ordinal);
            Assert.Contains("search example.test", resolv, StringComparison.Ordinal);
            Assert.DoesNotContain("127.0.0.11", Engine.DockerOk("run --rm busybox cat /etc/resolv.conf"), StringComparison.Ordinal);
        }
        finally
        {
            Engine.Docker("network rm net-e");
        }
    }

    /// <summary>
    /// A shell command that fetches http://HOST/ with busybox wget into a file and prints it, retried
    /// while the server's httpd may still be starting (docker run -d returns before it listens).
    /// </summary>
    internal static string Fetch(string host) =>
        $"for i in $(seq 1 50); do timeout 10 wget -q -O /tmp/page http://{host}/ && exec cat /tmp/page; sleep 0.2; done; exit 1";

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>GET from the host, retried while the container's httpd may still be starting.</summary>
    internal static string Get(string url)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return client.GetStringAsync(new Uri(url)).GetAwaiter().GetResult();
            }
            catch (HttpRequestException) when (attempt < 50)
            {
                Thread.Sleep(200);
            }
        }
    }
}
