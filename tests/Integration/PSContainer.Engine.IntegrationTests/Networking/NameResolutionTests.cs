using System.Net;
using System.Net.Sockets;
using PSContainer.Engine.Core.Networking.Dns;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Engine.IntegrationTests.Networking;

/// <summary>
/// The embedded DNS server end to end, through the real docker CLI and busybox's own resolver:
/// names, network aliases and id prefixes on a user network; nothing across networks or on the
/// default bridge; other names forwarded to a resolver on the host's loopback. Every query stays
/// on 127.0.0.0/8 or inside the containers' namespaces.
/// </summary>
public sealed class NameResolutionTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    private EngineProcess Engine => fixture.Engine!;

    /// <summary>A busybox httpd serving "hello NAME"; returns its id and its address on <paramref name="network"/>.</summary>
    private (string Id, string Address) RunWebServer(string name, string network, string extra = "")
    {
        var id = Engine.DockerOk($"run -d --name {name} --network {network} {extra} busybox sh -c 'mkdir -p /www && echo hello {name} > /www/index.html && exec httpd -f -p 80 -h /www'").Trim();
        var address = Engine.DockerOk($"inspect -f '{{{{(index .NetworkSettings.Networks \"{network}\").IPAddress}}}}' {name}").Trim();
        Assert.True(IPAddress.TryParse(address, out _), $"no address for {name}: '{address}'\n{Engine.Log}");
        return (id, address);
    }

    /// <summary>Runs a shell line in a throwaway busybox container on <paramref name="network"/>.</summary>
    private EngineProcess.Result InContainer(string network, string script, string extra = "") =>
        Engine.Docker($"run --rm --network {network} {extra} busybox sh -c '{script}'");

    /// <summary>busybox wget, retried while the server's httpd may still be starting.</summary>
    /// <remarks>The time limit is busybox's timeout applet, not wget -T: Debian's static busybox 1.35
    /// segfaults in wget -T whenever it has to resolve a name (its own host too, not only here).</remarks>
    private static string Fetch(string host) =>
        $"for i in $(seq 1 50); do timeout 10 wget -q -O - http://{host}/ && exit 0; sleep 0.2; done; exit 1";

    [RequiresRootFact]
    public void ContainersReachEachOtherByNameAliasAndIdPrefix()
    {
        Engine.DockerOk("network create dns-a");
        try
        {
            var (id, address) = RunWebServer("web-n", "dns-a", "--network-alias websvc --network-alias other-alias");

            var ping = InContainer("dns-a", "ping -c1 -W5 web-n");
            Assert.True(ping.ExitCode == 0, ping.ToString());
            Assert.Contains($"({address})", ping.Stdout, StringComparison.Ordinal);

            var lookup = InContainer("dns-a", "nslookup web-n");
            Assert.True(lookup.ExitCode == 0, lookup.ToString());
            Assert.Contains("127.0.0.11", lookup.Stdout, StringComparison.Ordinal); // the server that answered
            Assert.Contains($"Address: {address}", lookup.Stdout, StringComparison.Ordinal);

            var alias = InContainer("dns-a", "nslookup websvc");
            Assert.True(alias.ExitCode == 0, alias.ToString());
            Assert.Contains($"Address: {address}", alias.Stdout, StringComparison.Ordinal);

            foreach (var host in new[] { "web-n", "websvc", "other-alias", id[..12], "web-n.dns-a" })
            {
                var fetched = InContainer("dns-a", Fetch(host));
                Assert.True(fetched.ExitCode == 0, $"wget http://{host}/: {fetched}");
                Assert.Equal("hello web-n\n", fetched.Stdout);
            }

            // The reverse name of a container address is its name on the network.
            var reverse = InContainer("dns-a", $"nslookup {address}");
            Assert.True(reverse.ExitCode == 0, reverse.ToString());
            Assert.Contains("web-n.dns-a", reverse.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Engine.Docker("rm -f web-n");
            Engine.Docker("network rm dns-a");
        }
    }

    [RequiresRootFact]
    public void TwoContainersOnOneNetworkResolveEachOther()
    {
        Engine.DockerOk("network create dns-p");
        try
        {
            var (_, webAddress) = RunWebServer("peer-web", "dns-p");
            Engine.DockerOk("run -d --name peer-client --network dns-p busybox sleep 300");
            var clientAddress = Engine.DockerOk("inspect -f '{{(index .NetworkSettings.Networks \"dns-p\").IPAddress}}' peer-client").Trim();

            var there = Engine.Docker("exec peer-client sh -c '" + Fetch("peer-web") + "'");
            Assert.True(there.ExitCode == 0, there.ToString());
            Assert.Equal("hello peer-web\n", there.Stdout);

            var back = Engine.Docker("exec peer-web ping -c1 -W5 peer-client");
            Assert.True(back.ExitCode == 0, back.ToString());
            Assert.Contains($"({clientAddress})", back.Stdout, StringComparison.Ordinal);
            Assert.NotEqual(webAddress, clientAddress);
        }
        finally
        {
            Engine.Docker("rm -f peer-web peer-client");
            Engine.Docker("network rm dns-p");
        }
    }

    [RequiresRootFact]
    public void ANameOnAnotherNetworkDoesNotResolve()
    {
        Engine.DockerOk("network create dns-x");
        Engine.DockerOk("network create dns-y");
        try
        {
            RunWebServer("lonely", "dns-x", "--network-alias lonely-alias");
            Assert.Equal(0, InContainer("dns-x", "nslookup lonely").ExitCode); // the control: it does resolve at home

            foreach (var name in new[] { "lonely", "lonely-alias", "lonely.dns-x" })
            {
                var lookup = InContainer("dns-y", $"nslookup {name}");
                Assert.True(lookup.ExitCode != 0, $"nslookup {name} from another network: {lookup}");
                var ping = InContainer("dns-y", $"ping -c1 -W2 {name}");
                Assert.NotEqual(0, ping.ExitCode);
                Assert.Contains("bad address", ping.Stderr, StringComparison.Ordinal);
            }
        }
        finally
        {
            Engine.Docker("rm -f lonely");
            Engine.Docker("network rm dns-x dns-y");
        }
    }

    [RequiresRootFact]
    public void TheDefaultBridgeHasNoEmbeddedServerAndNoContainerNames()
    {
        Engine.DockerOk("run -d --name bridged busybox sleep 300");
        try
        {
            // --dns 127.0.0.1 keeps the client's own lookups inside its namespace (nothing listens
            // there), so no query leaves the host whatever happens.
            var resolv = Engine.DockerOk("run --rm --dns 127.0.0.1 busybox cat /etc/resolv.conf");
            Assert.DoesNotContain("127.0.0.11", resolv, StringComparison.Ordinal);

            var ping = Engine.Docker("run --rm --dns 127.0.0.1 busybox ping -c1 -W2 bridged");
            Assert.NotEqual(0, ping.ExitCode);
            Assert.Contains("bad address", ping.Stderr, StringComparison.Ordinal);

            // And nobody answers at 127.0.0.11 on the default bridge.
            var direct = Engine.Docker("run --rm --dns 127.0.0.1 busybox nslookup bridged 127.0.0.11");
            Assert.NotEqual(0, direct.ExitCode);
        }
        finally
        {
            Engine.Docker("rm -f bridged");
        }
    }

    [RequiresRootFact]
    public void ResolvConfNamesOnlyTheEmbeddedServer()
    {
        Engine.DockerOk("network create dns-r");
        try
        {
            var resolv = InContainer("dns-r", "cat /etc/resolv.conf", "--dns 127.83.0.1");
            Assert.True(resolv.ExitCode == 0, resolv.ToString());
            var nameservers = resolv.Stdout.Split('\n').Where(l => l.StartsWith("nameserver", StringComparison.Ordinal)).ToList();
            Assert.Equal(["nameserver 127.0.0.11"], nameservers);
        }
        finally
        {
            Engine.Docker("network rm dns-r");
        }
    }

    [RequiresRootFact]
    public async Task OtherNamesGoToTheContainersDnsServerOnTheHostsLoopback()
    {
        // --dns names a resolver on the host's loopback (a random 127/8 address, port 53). The
        // container cannot reach it from its own namespace; the engine forwards from the host's.
        var resolverAddress = IPAddress.Parse("127.83." + Random.Shared.Next(1, 255) + "." + Random.Shared.Next(1, 255));
        await using var resolver = new LoopbackResolver(resolverAddress, IPAddress.Parse("192.0.2.77"));
        Engine.DockerOk("network create dns-f");
        try
        {
            var lookup = InContainer("dns-f", "nslookup outside.example.test", $"--dns {resolverAddress}");
            Assert.True(lookup.ExitCode == 0, $"{lookup}\nresolver saw {resolver.Queries} queries");
            Assert.Contains("Address: 192.0.2.77", lookup.Stdout, StringComparison.Ordinal);
            Assert.True(resolver.Queries > 0);
        }
        finally
        {
            Engine.Docker("network rm dns-f");
        }
    }

    /// <summary>A resolver on ADDRESS:53 of the host's loopback answering every A query with one address, AAAA with nothing.</summary>
    private sealed class LoopbackResolver : IAsyncDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private int _queries;

        public LoopbackResolver(IPAddress listen, IPAddress answer)
        {
            _socket.Bind(new IPEndPoint(listen, 53));
            _loop = Task.Run(async () =>
            {
                var buffer = new byte[4096];
                try
                {
                    while (true)
                    {
                        var received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
                        Interlocked.Increment(ref _queries);
                        var query = DnsQueryReader.Read(buffer.AsSpan(0, received.ReceivedBytes));
                        IReadOnlyList<DnsAnswer> answers = query.Type == DnsRecordType.A ? [DnsAnswer.For(answer, 30)] : [];
                        var response = DnsResponseWriter.Write(query, DnsResponseCode.NoError, answers, authoritative: true, recursionAvailable: true, query.UdpResponseLimit);
                        await _socket.SendToAsync(response, SocketFlags.None, received.RemoteEndPoint, _stop.Token);
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException or DnsFormatException)
                {
                }
            });
        }

        public int Queries => Volatile.Read(ref _queries);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _socket.Dispose();
            await _loop;
            _stop.Dispose();
        }
    }
}
