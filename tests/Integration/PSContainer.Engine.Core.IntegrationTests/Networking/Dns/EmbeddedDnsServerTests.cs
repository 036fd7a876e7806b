using System.Net;
using System.Net.Sockets;
using PSContainer.Engine.Core.Networking.Dns;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Engine.Core.IntegrationTests.Networking.Dns;

/// <summary>
/// The embedded server in a network namespace of the test's own: bound at 127.0.0.11:53 inside it,
/// asked from inside it over UDP and TCP, forwarding to a fake resolver on the host's 127.0.0.1.
/// </summary>
public sealed class EmbeddedDnsServerTests
{
    private const string ContainerId = "0123456789abcdef";

    private sealed class Records : IDnsRecordSource
    {
        public IReadOnlyList<IPAddress> Lookup(string askingContainerId, string name) =>
            askingContainerId == ContainerId && name == "web" ? [IPAddress.Parse("172.30.0.2")] : [];

        public string? ReverseLookup(string askingContainerId, IPAddress address) =>
            address.Equals(IPAddress.Parse("172.30.0.2")) ? "web.testnet" : null;
    }

    /// <summary>A resolver on the host's 127.0.0.1 that answers every A query with 192.0.2.7.</summary>
    private sealed class HostResolver : IAsyncDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public HostResolver()
        {
            _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _loop = Task.Run(async () =>
            {
                var buffer = new byte[4096];
                try
                {
                    while (true)
                    {
                        var received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
                        Interlocked.Increment(ref Queries);
                        var query = DnsQueryReader.Read(buffer.AsSpan(0, received.ReceivedBytes));
                        var answer = DnsResponseWriter.Write(query, DnsResponseCode.NoError, [DnsAnswer.For(IPAddress.Parse("192.0.2.7"), 30)], false, true, 512);
                        await _socket.SendToAsync(answer, SocketFlags.None, received.RemoteEndPoint, _stop.Token);
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
                {
                }
            });
        }

        public int Queries;

        public IPEndPoint EndPoint => (IPEndPoint)_socket.LocalEndPoint!;

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _socket.Dispose();
            await _loop;
            _stop.Dispose();
        }
    }

    /// <summary>A client socket made inside the namespace, connected to 127.0.0.11:53 there.</summary>
    private static Task<Socket> ClientInsideAsync(TestNetworkNamespace netns, SocketType type) =>
        NetworkNamespaceThread.RunAsync(netns.Path, () =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, type, type == SocketType.Dgram ? ProtocolType.Udp : ProtocolType.Tcp)
            {
                ReceiveTimeout = 20_000,
            };
            socket.Connect(EmbeddedDnsServer.DefaultEndPoint);
            return socket;
        });

    private static async Task<DnsResponse> AskOverUdpAsync(TestNetworkNamespace netns, string name, DnsRecordType type)
    {
        using var client = await ClientInsideAsync(netns, SocketType.Dgram);
        client.Send(DnsClientCodec.WriteQuery(0x2a2a, name, type));
        var buffer = new byte[4096];
        var response = DnsClientCodec.ReadResponse(buffer.AsSpan(0, client.Receive(buffer)));
        Assert.Equal(0x2a2a, response.Id);
        return response;
    }

    [RequiresRootFact]
    public async Task AnswersContainerNamesInsideTheNamespaceOverUdpAndTcp()
    {
        using var netns = new TestNetworkNamespace();
        await using var upstream = new HostResolver();
        await using var server = await EmbeddedDnsServer.StartAsync(netns.Path, ContainerId, new Records(), [upstream.EndPoint]);
        Assert.Equal(EmbeddedDnsServer.DefaultEndPoint, server.EndPoint);

        var udp = await AskOverUdpAsync(netns, "web", DnsRecordType.A);
        Assert.Equal(IPAddress.Parse("172.30.0.2"), Assert.Single(udp.Answers).Address);
        Assert.True(udp.Authoritative);

        var ptr = await AskOverUdpAsync(netns, "2.0.30.172.in-addr.arpa", DnsRecordType.PTR);
        Assert.Equal("web.testnet", Assert.Single(ptr.Answers).Target);

        using var tcp = await ClientInsideAsync(netns, SocketType.Stream);
        await using var stream = new NetworkStream(tcp);
        for (ushort id = 1; id <= 2; id++) // two queries on one connection
        {
            await DnsTcpFraming.WriteAsync(stream, DnsClientCodec.WriteQuery(id, "WEB", DnsRecordType.A), CancellationToken.None);
            var response = DnsClientCodec.ReadResponse(await DnsTcpFraming.ReadAsync(stream, CancellationToken.None));
            Assert.Equal(id, response.Id);
            Assert.Equal(IPAddress.Parse("172.30.0.2"), Assert.Single(response.Answers).Address);
        }
        Assert.Equal(0, upstream.Queries);
    }

    [RequiresRootFact]
    public async Task ForwardsOtherNamesToAResolverOnTheHostsLoopback()
    {
        using var netns = new TestNetworkNamespace();
        await using var upstream = new HostResolver();
        await using var server = await EmbeddedDnsServer.StartAsync(netns.Path, ContainerId, new Records(), [upstream.EndPoint]);

        // 127.0.0.1 inside the namespace is another loopback: this only works because the
        // forwarding socket is made in the engine's (host's) namespace.
        var response = await AskOverUdpAsync(netns, "www.example.org", DnsRecordType.A);
        Assert.Equal(DnsResponseCode.NoError, response.Code);
        Assert.Equal(IPAddress.Parse("192.0.2.7"), Assert.Single(response.Answers).Address);
        Assert.Equal(1, upstream.Queries);

        // A short name that is no container goes to the host's resolvers too, as in Docker.
        var single = await AskOverUdpAsync(netns, "elsewhere", DnsRecordType.A);
        Assert.Equal(DnsResponseCode.NoError, single.Code);
        Assert.Equal(2, upstream.Queries);
    }

    [RequiresRootFact]
    public async Task NoUpstreamIsServfail()
    {
        using var netns = new TestNetworkNamespace();
        await using var server = await EmbeddedDnsServer.StartAsync(netns.Path, ContainerId, new Records(),
            [new IPEndPoint(UpstreamForwarder.EmbeddedAddress, 53)]); // filtered out: it would loop
        Assert.Equal(DnsResponseCode.ServerFailure, (await AskOverUdpAsync(netns, "www.example.org", DnsRecordType.A)).Code);
    }

    [RequiresRootFact]
    public async Task TheSocketsLiveInTheNamespaceAndGoWithTheServer()
    {
        using var netns = new TestNetworkNamespace();
        var server = await EmbeddedDnsServer.StartAsync(netns.Path, ContainerId, new Records(), []);

        // Inside the namespace the port is taken; a second server there fails with a clear error.
        var error = await Assert.ThrowsAsync<IOException>(() => EmbeddedDnsServer.StartAsync(netns.Path, ContainerId, new Records(), []));
        Assert.Contains("127.0.0.11:53", error.Message, StringComparison.Ordinal);
        Assert.Contains(netns.Path, error.Message, StringComparison.Ordinal);

        // In a second namespace the same address is free: each namespace has its own 127.0.0.11.
        using (var other = new TestNetworkNamespace())
        {
            await using var second = await EmbeddedDnsServer.StartAsync(other.Path, ContainerId, new Records(), []);
        }

        await server.DisposeAsync();
        await using var again = await EmbeddedDnsServer.StartAsync(netns.Path, ContainerId, new Records(), []);
        Assert.Equal(IPAddress.Parse("172.30.0.2"), Assert.Single((await AskOverUdpAsync(netns, "web", DnsRecordType.A)).Answers).Address);
    }

    [RequiresRootFact]
    public async Task AMissingNamespaceIsAClearError()
    {
        var error = await Assert.ThrowsAsync<IOException>(() =>
            EmbeddedDnsServer.StartAsync("/run/netns/psc-dnstest-does-not-exist", ContainerId, new Records(), []));
        Assert.Contains("/run/netns/psc-dnstest-does-not-exist", error.Message, StringComparison.Ordinal);
    }
}
