using System.Buffers.Binary;
using System.Net;
using PSContainer.Engine.Core.Networking.Dns;
using Xunit;

namespace PSContainer.Engine.Core.Tests.Networking.Dns;

public sealed class DnsQueryHandlerTests
{
    private const string Asker = "c1";
    private readonly FakeRecords _records = new FakeRecords()
        .Add(Asker, "web", "172.20.0.2")
        .Add(Asker, "db.appnet", "172.20.0.3", "172.21.0.3")
        .Add(Asker, "dual", "172.20.0.4", "fd00::4");
    private readonly FakeForwarder _forwarder = new();

    private DnsQueryHandler Handler(IDnsForwarder? forwarder = null) => new(Asker, _records, forwarder ?? _forwarder);

    private async Task<DnsResponse> AskAsync(string name, DnsRecordType type, bool overTcp = false, ushort? edns = null, IDnsForwarder? forwarder = null)
    {
        var bytes = await Handler(forwarder).HandleAsync(DnsClientCodec.WriteQuery(0x4242, name, type, ednsUdpSize: edns), overTcp, CancellationToken.None);
        Assert.NotNull(bytes);
        var response = DnsClientCodec.ReadResponse(bytes);
        Assert.Equal(0x4242, response.Id);
        return response;
    }

    [Fact]
    public async Task AContainerNameIsAnsweredLocally()
    {
        var response = await AskAsync("web", DnsRecordType.A);
        Assert.Equal(DnsResponseCode.NoError, response.Code);
        Assert.True(response.Authoritative);
        var answer = Assert.Single(response.Answers);
        Assert.Equal(IPAddress.Parse("172.20.0.2"), answer.Address);
        Assert.Equal(DnsQueryHandler.LocalTtl, answer.Ttl);
        Assert.Empty(_forwarder.Forwarded);
    }

    [Fact]
    public async Task NamesAreMatchedWithoutRegardToCaseAndAnsweredAsAsked()
    {
        var response = await AskAsync("DB.AppNet.", DnsRecordType.A);
        Assert.Equal("DB.AppNet", response.QuestionName);
        Assert.Equal(["172.20.0.3", "172.21.0.3"], response.Answers.Select(a => a.Address!.ToString()).Order());
        Assert.Contains("db.appnet", _records.Asked);
    }

    [Fact]
    public async Task AaaaForANameWithOnlyIpv4IsNoDataNotNxdomain()
    {
        var response = await AskAsync("web", DnsRecordType.AAAA);
        Assert.Equal(DnsResponseCode.NoError, response.Code);
        Assert.Empty(response.Answers);
        Assert.Empty(_forwarder.Forwarded);
    }

    [Fact]
    public async Task EachFamilyGetsItsOwnAddresses()
    {
        Assert.Equal(IPAddress.Parse("fd00::4"), Assert.Single((await AskAsync("dual", DnsRecordType.AAAA)).Answers).Address);
        Assert.Equal(IPAddress.Parse("172.20.0.4"), Assert.Single((await AskAsync("dual", DnsRecordType.A)).Answers).Address);
        Assert.Equal(2, (await AskAsync("dual", DnsRecordType.ANY)).Answers.Count);
    }

    [Fact]
    public async Task OtherTypesForAContainerNameAreNoData()
    {
        var response = await AskAsync("web", DnsRecordType.MX);
        Assert.Equal(DnsResponseCode.NoError, response.Code);
        Assert.Empty(response.Answers);
        Assert.Empty(_forwarder.Forwarded);
    }

    [Fact]
    public async Task AContainerAddressHasAPtrRecord()
    {
        var response = await AskAsync("2.0.20.172.in-addr.arpa", DnsRecordType.PTR);
        Assert.Equal("web", Assert.Single(response.Answers).Target);
        Assert.Empty(_forwarder.Forwarded);
    }

    [Fact]
    public async Task OtherReverseNamesAreForwarded()
    {
        var response = await AskAsync("8.8.8.8.in-addr.arpa", DnsRecordType.PTR);
        Assert.Single(_forwarder.Forwarded);
        Assert.False(response.Authoritative);
    }

    [Fact]
    public async Task UnknownNamesAreForwardedVerbatimOverTheClientsTransport()
    {
        var query = DnsClientCodec.WriteQuery(0x0102, "www.example.org", DnsRecordType.A, ednsUdpSize: 1232);
        var response = await Handler().HandleAsync(query, overTcp: true, CancellationToken.None);

        var (forwarded, overTcp) = Assert.Single(_forwarder.Forwarded);
        Assert.Equal(query, forwarded);
        Assert.True(overTcp);
        Assert.Equal(IPAddress.Parse("192.0.2.80"), Assert.Single(DnsClientCodec.ReadResponse(response).Answers).Address);
    }

    [Fact]
    public async Task AnUnknownSingleLabelNameIsForwardedLikeDockers()
    {
        var response = await AskAsync("elsewhere", DnsRecordType.A);
        Assert.Single(_forwarder.Forwarded);
        Assert.Equal(DnsResponseCode.NoError, response.Code);
    }

    [Fact]
    public async Task NoAnswerFromUpstreamIsServfail()
    {
        _forwarder.Answer = _ => null;
        var response = await AskAsync("www.example.org", DnsRecordType.A);
        Assert.Equal(DnsResponseCode.ServerFailure, response.Code);
        Assert.Single(_forwarder.Forwarded);
    }

    [Fact]
    public async Task NoUpstreamsIsServfailWithoutRecursionAvailable()
    {
        var none = new FakeForwarder(hasUpstreams: false);
        var response = await AskAsync("www.example.org", DnsRecordType.A, forwarder: none);
        Assert.Equal(DnsResponseCode.ServerFailure, response.Code);
        Assert.Equal(0, response.Flags & DnsWire.FlagRecursionAvailable);
        Assert.Empty(none.Forwarded);
    }

    [Fact]
    public async Task ZoneTransfersAndOtherClassesAreRefused()
    {
        Assert.Equal(DnsResponseCode.Refused, (await AskAsync("appnet", DnsRecordType.AXFR)).Code);
        var chaos = DnsClientCodec.WriteQuery(0x4242, "version.bind", DnsRecordType.TXT, @class: 3);
        var response = DnsClientCodec.ReadResponse((await Handler().HandleAsync(chaos, false, CancellationToken.None))!);
        Assert.Equal(DnsResponseCode.Refused, response.Code);
        Assert.Empty(_forwarder.Forwarded);
    }

    [Fact]
    public async Task OtherOpcodesAreNotImplemented()
    {
        var update = DnsClientCodec.WriteQuery(0x4242, "web", DnsRecordType.A);
        update[2] = 5 << 3; // opcode 5: UPDATE
        var response = DnsClientCodec.ReadResponse((await Handler().HandleAsync(update, false, CancellationToken.None))!);
        Assert.Equal(DnsResponseCode.NotImplemented, response.Code);
    }

    [Fact]
    public async Task AMalformedQueryIsFormerrWithItsId()
    {
        var bad = DnsClientCodec.WriteQuery(0x7777, "web", DnsRecordType.A);
        BinaryPrimitives.WriteUInt16BigEndian(bad.AsSpan(4), 2);
        var response = DnsClientCodec.ReadResponse((await Handler().HandleAsync(bad, false, CancellationToken.None))!);
        Assert.Equal(0x7777, response.Id);
        Assert.Equal(DnsResponseCode.FormatError, response.Code);
    }

    [Fact]
    public async Task ResponsesAndRuntMessagesAreDropped()
    {
        var reply = DnsClientCodec.WriteQuery(1, "web", DnsRecordType.A);
        reply[2] |= 0x80;
        Assert.Null(await Handler().HandleAsync(reply, false, CancellationToken.None));
        Assert.Null(await Handler().HandleAsync(new byte[11], false, CancellationToken.None));
    }

    [Fact]
    public async Task ManyAddressesAreTruncatedOverUdpAndWholeOverTcp()
    {
        var many = Enumerable.Range(1, 60).Select(i => $"10.9.0.{i}").ToArray();
        _records.Add(Asker, "crowd", many);

        var classic = await AskAsync("crowd", DnsRecordType.A);
        Assert.True(classic.Truncated);
        Assert.Empty(classic.Answers);

        var edns = await AskAsync("crowd", DnsRecordType.A, edns: 4096); // 60 * 16 bytes fit in 1232
        Assert.False(edns.Truncated);
        Assert.Equal(60, edns.Answers.Count);
        Assert.True(edns.HasOpt);

        var tcp = await AskAsync("crowd", DnsRecordType.A, overTcp: true);
        Assert.False(tcp.Truncated);
        Assert.Equal(many.Order(), tcp.Answers.Select(a => a.Address!.ToString()).Order());
    }

    [Fact]
    public async Task AForwardedAnswerTooLargeForTheClientIsTruncated()
    {
        _forwarder.Answer = query => DnsResponseWriter.Write(DnsQueryReader.Read(query), DnsResponseCode.NoError,
            [.. Enumerable.Range(1, 50).Select(i => DnsAnswer.For(new IPAddress([198, 51, 100, (byte)i]), 30))], false, true, DnsWire.TcpLimit);
        var response = await AskAsync("big.example.org", DnsRecordType.A);
        Assert.True(response.Truncated);
        Assert.Empty(response.Answers);
        Assert.Equal("big.example.org", response.QuestionName);
    }
}
