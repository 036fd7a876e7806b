using System.Buffers.Binary;
using System.Net;
using PSContainer.Engine.Core.Networking.Dns;
using Xunit;

namespace PSContainer.Engine.Core.Tests.Networking.Dns;

public sealed class DnsCodecTests
{
    [Fact]
    public void ReadsAQueryWrittenByTheClientCodec()
    {
        var query = DnsQueryReader.Read(DnsClientCodec.WriteQuery(0x1234, "Web.AppNet", DnsRecordType.AAAA));

        Assert.Equal(0x1234, query.Id);
        Assert.Equal("Web.AppNet", query.Name);
        Assert.Equal(DnsRecordType.AAAA, query.Type);
        Assert.Equal(DnsWire.ClassIn, query.Class);
        Assert.True(query.RecursionDesired);
        Assert.Equal(0, query.Opcode);
        Assert.Null(query.Edns);
        Assert.Equal(DnsWire.ClassicUdpLimit, query.UdpResponseLimit);
        Assert.Equal(new byte[] { 3, (byte)'W', (byte)'e', (byte)'b', 6, (byte)'A', (byte)'p', (byte)'p', (byte)'N', (byte)'e', (byte)'t', 0 }, query.NameWire);
    }

    [Theory]
    [InlineData(4096, 1232)]
    [InlineData(1232, 1232)]
    [InlineData(800, 800)]
    [InlineData(100, 512)] // below 512 is treated as 512 (RFC 6891 6.2.3)
    public void EdnsPayloadSizeSetsTheUdpLimit(int advertised, int limit)
    {
        var query = DnsQueryReader.Read(DnsClientCodec.WriteQuery(1, "a.b", DnsRecordType.A, ednsUdpSize: (ushort)advertised));
        Assert.NotNull(query.Edns);
        Assert.Equal(advertised, query.Edns!.UdpPayloadSize);
        Assert.Equal(limit, query.UdpResponseLimit);
    }

    [Fact]
    public void FollowsCompressionPointersInTheAdditionalSection()
    {
        // Question "x.example", then an additional A record whose owner is "y" + pointer to "example".
        var message = new List<byte>(DnsClientCodec.WriteQuery(7, "x.example", DnsRecordType.A));
        message[11] = 1; // ARCOUNT
        message.AddRange([1, (byte)'y', 0xC0, 14, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 10, 0, 0, 1]);
        var query = DnsQueryReader.Read(message.ToArray());
        Assert.Equal("x.example", query.Name);

        var offset = 12 + query.NameWire.Length + 4;
        var (name, wire) = DnsQueryReader.ReadName(message.ToArray(), ref offset);
        Assert.Equal("y.example", name);
        Assert.Equal(11, wire.Length);
        Assert.Equal(12 + query.NameWire.Length + 4 + 4, offset); // past "y" and the 2-byte pointer
    }

    [Fact]
    public void AForwardPointerIsAFormatError()
    {
        var bytes = new byte[] { 0, 9, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 18, 0, 1, 0, 1, 3, (byte)'f', (byte)'o', (byte)'o', 0 };
        // The question's pointer goes forwards (to 18, a valid "foo"): refused, so loops are impossible.
        var error = Assert.Throws<DnsFormatException>(() => DnsQueryReader.Read(bytes));
        Assert.Equal((ushort)9, error.Id);
        Assert.Contains("does not point backwards", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void APointerLoopIsAFormatError()
    {
        var message = new List<byte>(DnsClientCodec.WriteQuery(3, "a", DnsRecordType.A));
        message[11] = 1;
        var start = message.Count;
        message.AddRange([0xC0, (byte)start, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0]); // points at itself
        var error = Assert.Throws<DnsFormatException>(() => DnsQueryReader.Read(message.ToArray()));
        Assert.Contains("does not point backwards", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void OnlyOneQuestionIsAccepted(int count)
    {
        var bytes = DnsClientCodec.WriteQuery(0xBEEF, "a.b", DnsRecordType.A);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(4), (ushort)count);
        var error = Assert.Throws<DnsFormatException>(() => DnsQueryReader.Read(bytes));
        Assert.Equal((ushort)0xBEEF, error.Id);
    }

    [Fact]
    public void ATruncatedMessageIsAFormatError()
    {
        var bytes = DnsClientCodec.WriteQuery(5, "host.example", DnsRecordType.A);
        for (var length = 12; length < bytes.Length; length++)
        {
            Assert.Throws<DnsFormatException>(() => DnsQueryReader.Read(bytes.AsSpan(0, length)));
        }
        Assert.Throws<DnsFormatException>(() => DnsQueryReader.Read(bytes.AsSpan(0, 11)));
    }

    [Fact]
    public void ANameLongerThan255BytesIsAFormatError()
    {
        var labels = string.Join('.', Enumerable.Repeat(new string('a', 63), 4)); // 4*64+1 = 257 bytes
        var nameWire = labels.Split('.').SelectMany(l => new[] { (byte)l.Length }.Concat(l.Select(c => (byte)c))).Append((byte)0).ToArray();
        var message = new byte[12 + nameWire.Length + 4];
        message[5] = 1;
        nameWire.CopyTo(message, 12);
        var error = Assert.Throws<DnsFormatException>(() => DnsQueryReader.Read(message));
        Assert.Contains("longer than 255", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExtendedLabelTypesAreRefused()
    {
        var bytes = DnsClientCodec.WriteQuery(5, "ab.c", DnsRecordType.A);
        bytes[12] = 0x42; // 01xxxxxx: the obsolete extended label type
        Assert.Throws<DnsFormatException>(() => DnsQueryReader.Read(bytes));
    }

    [Fact]
    public void UnprintableLabelBytesAreEscaped()
    {
        var bytes = DnsClientCodec.WriteQuery(5, "ab.c", DnsRecordType.A);
        bytes[13] = (byte)'.';
        bytes[14] = 0x07;
        Assert.Equal("\\046\\007.c", DnsQueryReader.Read(bytes).Name);
    }

    [Fact]
    public void WritesAnswersThatPointAtTheQuestion()
    {
        var query = DnsQueryReader.Read(DnsClientCodec.WriteQuery(42, "Web.net", DnsRecordType.A, ednsUdpSize: 4096));
        var bytes = DnsResponseWriter.Write(query, DnsResponseCode.NoError,
            [DnsAnswer.For(IPAddress.Parse("10.1.2.3"), 600), DnsAnswer.For(IPAddress.Parse("10.1.2.4"), 600)],
            authoritative: true, recursionAvailable: true, sizeLimit: 512);

        // Each answer's owner is the 2-byte pointer 0xC00C.
        var firstAnswer = 12 + query.NameWire.Length + 4;
        Assert.Equal(0xC00C, BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(firstAnswer)));
        var response = DnsClientCodec.ReadResponse(bytes);
        Assert.Equal(42, response.Id);
        Assert.Equal(DnsResponseCode.NoError, response.Code);
        Assert.True(response.Authoritative);
        Assert.False(response.Truncated);
        Assert.True((response.Flags & DnsWire.FlagResponse) != 0);
        Assert.True((response.Flags & DnsWire.FlagRecursionDesired) != 0);
        Assert.True((response.Flags & DnsWire.FlagRecursionAvailable) != 0);
        Assert.Equal("Web.net", response.QuestionName);
        Assert.Equal(["10.1.2.3", "10.1.2.4"], response.Answers.Select(a => a.Address!.ToString()));
        Assert.All(response.Answers, a => Assert.Equal(("Web.net", DnsRecordType.A, 600u), (a.Name, a.Type, a.Ttl)));
        Assert.True(response.HasOpt);
    }

    [Fact]
    public void WritesAaaaAndPtrRecords()
    {
        var v6 = DnsQueryReader.Read(DnsClientCodec.WriteQuery(1, "h.n", DnsRecordType.AAAA));
        var six = DnsClientCodec.ReadResponse(DnsResponseWriter.Write(v6, DnsResponseCode.NoError,
            [DnsAnswer.For(IPAddress.Parse("fd00::5"), 600)], true, true, 512));
        Assert.Equal(DnsRecordType.AAAA, six.Answers.Single().Type);
        Assert.Equal(IPAddress.Parse("fd00::5"), six.Answers.Single().Address);

        var ptr = DnsQueryReader.Read(DnsClientCodec.WriteQuery(2, "3.2.1.10.in-addr.arpa", DnsRecordType.PTR));
        var named = DnsClientCodec.ReadResponse(DnsResponseWriter.Write(ptr, DnsResponseCode.NoError,
            [DnsAnswer.Pointer("web.appnet", 600)], true, true, 512));
        Assert.Equal("web.appnet", named.Answers.Single().Target);
    }

    [Fact]
    public void AnAnswerOverTheLimitIsTruncatedToTheQuestion()
    {
        var query = DnsQueryReader.Read(DnsClientCodec.WriteQuery(9, "many.net", DnsRecordType.A));
        var answers = Enumerable.Range(1, 40).Select(i => DnsAnswer.For(new IPAddress([10, 0, 0, (byte)i]), 600)).ToList();

        var udp = DnsResponseWriter.Write(query, DnsResponseCode.NoError, answers, true, true, 512);
        var truncated = DnsClientCodec.ReadResponse(udp);
        Assert.True(truncated.Truncated);
        Assert.Empty(truncated.Answers);
        Assert.Equal("many.net", truncated.QuestionName);

        var tcp = DnsClientCodec.ReadResponse(DnsResponseWriter.Write(query, DnsResponseCode.NoError, answers, true, true, DnsWire.TcpLimit));
        Assert.False(tcp.Truncated);
        Assert.Equal(40, tcp.Answers.Count);
    }

    [Fact]
    public void HeaderOnlyAnswersKeepTheIdAndOpcode()
    {
        var bytes = DnsResponseWriter.WriteHeaderOnly(0xABCD, 0x2100, DnsResponseCode.FormatError, recursionAvailable: false);
        var response = DnsClientCodec.ReadResponse(bytes);
        Assert.Equal(0xABCD, response.Id);
        Assert.Equal(DnsResponseCode.FormatError, response.Code);
        Assert.Equal(0x2000, response.Flags & 0x7800); // opcode 4 (NOTIFY) kept
        Assert.Equal(12, bytes.Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a..b")]
    [InlineData("ünicode.net")]
    public void EncodeNameRejectsBadNames(string name)
    {
        if (name.Length == 0)
        {
            Assert.Equal(new byte[] { 0 }, DnsResponseWriter.EncodeName(name)); // the root is valid
            return;
        }
        Assert.Throws<ArgumentException>(() => DnsResponseWriter.EncodeName(name));
    }

    [Fact]
    public void EncodeNameRejectsLongLabels() =>
        Assert.Throws<ArgumentException>(() => DnsResponseWriter.EncodeName(new string('x', 64) + ".net"));

    [Theory]
    [InlineData("4.3.2.1.in-addr.arpa", "1.2.3.4")]
    [InlineData("1.0.0.127.in-addr.arpa", "127.0.0.1")]
    [InlineData("b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4.ip6.arpa", "4321:0:1:2:3:4:567:89ab")]
    public void ReverseNamesParse(string name, string address)
    {
        Assert.Equal(IPAddress.Parse(address), ReverseName.Parse(name));
        Assert.Equal(name, ReverseName.For(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("3.2.1.in-addr.arpa")]
    [InlineData("256.3.2.1.in-addr.arpa")]
    [InlineData("04.3.2.1.in-addr.arpa")]
    [InlineData("x.3.2.1.in-addr.arpa")]
    [InlineData("1.ip6.arpa")]
    [InlineData("web.appnet")]
    public void IncompleteReverseNamesAreNotAddresses(string name) => Assert.Null(ReverseName.Parse(name));

    [Fact]
    public async Task TcpFramingRoundTrips()
    {
        using var stream = new MemoryStream();
        await DnsTcpFraming.WriteAsync(stream, new byte[] { 1, 2, 3 }, CancellationToken.None);
        await DnsTcpFraming.WriteAsync(stream, new byte[300], CancellationToken.None);
        Assert.Equal(new byte[] { 0, 3, 1, 2, 3 }, stream.ToArray()[..5]);
        stream.Position = 0;
        Assert.Equal(new byte[] { 1, 2, 3 }, await DnsTcpFraming.ReadAsync(stream, CancellationToken.None));
        Assert.Equal(300, (await DnsTcpFraming.ReadAsync(stream, CancellationToken.None))!.Length);
        Assert.Null(await DnsTcpFraming.ReadAsync(stream, CancellationToken.None));
    }

    [Fact]
    public async Task ACutOffTcpFrameIsAnError()
    {
        using var stream = new MemoryStream([0, 10, 1, 2]);
        await Assert.ThrowsAsync<EndOfStreamException>(() => DnsTcpFraming.ReadAsync(stream, CancellationToken.None));
    }
}
