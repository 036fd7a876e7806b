using System.Net;
using PSContainer.Engine.Core.Networking.Dns;
using Xunit;

namespace PSContainer.Engine.Core.Tests.Networking.Dns;

/// <summary>The forwarder against fake resolvers on 127.0.0.1.</summary>
public sealed class UpstreamForwarderTests
{
    /// <summary>For upstreams that never answer: the test waits this long once.</summary>
    private static readonly TimeSpan ShortTimeout = TimeSpan.FromMilliseconds(300);

    /// <summary>When a silent upstream must time out but the next must not: room for a loaded machine.</summary>
    private static readonly TimeSpan RoomyTimeout = TimeSpan.FromSeconds(2);

    private static async Task<DnsResponse?> ForwardAsync(UpstreamForwarder forwarder, bool overTcp = false)
    {
        var response = await forwarder.ForwardAsync(DnsClientCodec.WriteQuery(0x5151, "www.example.org", DnsRecordType.A), overTcp, CancellationToken.None);
        return response is null ? null : DnsClientCodec.ReadResponse(response);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ForwardsOverTheClientsTransport(bool overTcp)
    {
        using var upstream = new FakeUpstream("192.0.2.1");
        var response = await ForwardAsync(new UpstreamForwarder([upstream.EndPoint]), overTcp);

        Assert.NotNull(response);
        Assert.Equal(0x5151, response!.Id);
        Assert.Equal(upstream.Address, Assert.Single(response.Answers).Address);
        Assert.Equal(overTcp ? (0, 1) : (1, 0), (upstream.UdpQueries, upstream.TcpQueries));
    }

    [Fact]
    public async Task ASilentUpstreamTimesOutAndTheNextAnswers()
    {
        using var silent = new FakeUpstream("192.0.2.1", FakeUpstream.Behaviour.Silent);
        using var good = new FakeUpstream("192.0.2.2");
        var response = await ForwardAsync(new UpstreamForwarder([silent.EndPoint, good.EndPoint], RoomyTimeout));

        Assert.Equal(good.Address, Assert.Single(response!.Answers).Address);
        Assert.Equal(1, silent.UdpQueries);
    }

    [Fact]
    public async Task AnAnswerWithAnotherIdIsIgnored()
    {
        using var liar = new FakeUpstream("192.0.2.66", FakeUpstream.Behaviour.WrongId);
        Assert.Null(await ForwardAsync(new UpstreamForwarder([liar.EndPoint], ShortTimeout)));
        Assert.Equal(1, liar.UdpQueries);
    }

    [Fact]
    public async Task ServfailFromOneUpstreamAsksTheNextAndIsKeptAsALastResort()
    {
        using var failing = new FakeUpstream("192.0.2.1", FakeUpstream.Behaviour.ServerFailure);
        using var good = new FakeUpstream("192.0.2.2");

        var response = await ForwardAsync(new UpstreamForwarder([failing.EndPoint, good.EndPoint]));
        Assert.Equal(DnsResponseCode.NoError, response!.Code);

        var alone = await ForwardAsync(new UpstreamForwarder([failing.EndPoint]));
        Assert.Equal(DnsResponseCode.ServerFailure, alone!.Code);
    }

    [Fact]
    public async Task NoAnswerAnywhereIsNull()
    {
        using var silent = new FakeUpstream("192.0.2.1", FakeUpstream.Behaviour.Silent);
        Assert.Null(await ForwardAsync(new UpstreamForwarder([silent.EndPoint], ShortTimeout), overTcp: true));
    }

    [Fact]
    public void NeverForwardsToTheEmbeddedAddress()
    {
        var forwarder = new UpstreamForwarder([new IPEndPoint(IPAddress.Parse("127.0.0.11"), 53), new IPEndPoint(IPAddress.Parse("127.0.0.53"), 53)]);
        Assert.Equal([new IPEndPoint(IPAddress.Parse("127.0.0.53"), 53)], forwarder.Upstreams);

        var none = new UpstreamForwarder([new IPEndPoint(IPAddress.Parse("127.0.0.11"), 53)]);
        Assert.False(none.HasUpstreams);
    }

    [Fact]
    public void ResolvConfNameserversInOrder()
    {
        var servers = ResolvConf.Nameservers("""
            # comment
            search example.org
            nameserver 10.0.0.2
            nameserver   fd00::53
            nameserver not-an-address
            options ndots:2
            nameserver 127.0.0.53
            """);
        Assert.Equal(["10.0.0.2:53", "[fd00::53]:53", "127.0.0.53:53"], servers.Select(s => s.ToString()));
    }

    [Fact]
    public void ContainerDnsServersReplaceTheHosts()
    {
        IReadOnlyList<IPEndPoint> host = [new IPEndPoint(IPAddress.Parse("10.0.0.2"), 53)];
        Assert.Equal(host, ResolvConf.UpstreamsFor(null, host));
        Assert.Equal(host, ResolvConf.UpstreamsFor([], host));
        Assert.Equal(["1.1.1.1:53"], ResolvConf.UpstreamsFor(["1.1.1.1"], host).Select(s => s.ToString()));
        var error = Assert.Throws<ArgumentException>(() => ResolvConf.UpstreamsFor(["dns.example"], host));
        Assert.Contains("dns.example", error.Message, StringComparison.Ordinal);
    }
}
