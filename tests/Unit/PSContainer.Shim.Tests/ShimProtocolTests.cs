using System.Buffers.Binary;
using System.Text.Json;
using PSContainer.ShimApi;
using Xunit;

namespace PSContainer.Shim.Tests;

public sealed class ShimProtocolTests
{
    [Fact]
    public async Task FrameRoundTripsWithBigEndianLength()
    {
        using var stream = new MemoryStream();
        await ShimProtocol.WriteFrameAsync(stream, "hello"u8.ToArray());

        Assert.Equal([0, 0, 0, 5, (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o'], stream.ToArray());
        stream.Position = 0;
        Assert.Equal("hello"u8.ToArray(), await ShimProtocol.ReadFrameAsync(stream));
        Assert.Null(await ShimProtocol.ReadFrameAsync(stream));
    }

    [Fact]
    public async Task FrameSurvivesOneByteReads()
    {
        using var buffer = new MemoryStream();
        await ShimProtocol.WriteFrameAsync(buffer, new byte[1000]);
        await ShimProtocol.WriteFrameAsync(buffer, "x"u8.ToArray());
        using var trickle = new TrickleStream(buffer.ToArray());

        Assert.Equal(1000, (await ShimProtocol.ReadFrameAsync(trickle))!.Length);
        Assert.Equal("x"u8.ToArray(), await ShimProtocol.ReadFrameAsync(trickle));
    }

    [Fact]
    public async Task OversizedLengthIsRefused()
    {
        var header = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(header, ShimProtocol.MaxFrameSize + 1);
        using var stream = new MemoryStream(header);

        var error = await Assert.ThrowsAsync<ShimProtocolException>(async () => await ShimProtocol.ReadFrameAsync(stream));
        Assert.Contains((ShimProtocol.MaxFrameSize + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0, 0 })]
    [InlineData(new byte[] { 0, 0, 0, 9, 1, 2, 3 })]
    public async Task TruncatedFrameIsAnError(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);

        await Assert.ThrowsAsync<ShimProtocolException>(async () => await ShimProtocol.ReadFrameAsync(stream));
    }

    [Fact]
    public void RequestsCarryTheirTypeAsOp()
    {
        ShimRequest request = new KillRequest("c1", 15, All: true, ExecId: "e1");

        var json = JsonSerializer.Serialize(request, ShimJsonContext.Default.ShimRequest);
        var back = JsonSerializer.Deserialize(json, ShimJsonContext.Default.ShimRequest);

        Assert.Equal("""{"op":"kill","signal":15,"all":true,"execId":"e1","containerId":"c1"}""", json);
        Assert.Equal(request, back);
    }

    [Fact]
    public void EveryRequestTypeRoundTrips()
    {
        using var process = JsonDocument.Parse("""{"args":["true"]}""");
        ShimRequest[] requests =
        [
            new ConnectRequest("c", ShimProtocol.Version), new CreateRequest("c", true, true, "/l", 10, 2), new StartRequest("c", "e"),
            new StateRequest("c"), new KillRequest("c", 9), new ExecRequest("c", "e", process.RootElement.Clone(), true, false),
            new ResizePtyRequest("c", 80, 24), new CloseIORequest("c"), new WaitRequest("c"), new StatsRequest("c"),
            new PauseRequest("c"), new ResumeRequest("c"), new UpdateRequest("c", process.RootElement.Clone()), new PidsRequest("c"),
            new DeleteRequest("c"), new ShutdownRequest("c", true), new AttachRequest("c", null, true, true, false),
        ];
        foreach (var request in requests)
        {
            var json = JsonSerializer.SerializeToUtf8Bytes(request, ShimJsonContext.Default.ShimRequest);
            var back = JsonSerializer.Deserialize(json, ShimJsonContext.Default.ShimRequest)!;
            Assert.Equal(request.GetType(), back.GetType());
            Assert.Equal(JsonSerializer.Serialize(request, ShimJsonContext.Default.ShimRequest), JsonSerializer.Serialize(back, ShimJsonContext.Default.ShimRequest));
        }
    }

    [Fact]
    public void ResponsesCarryResultOrTypedError()
    {
        var ok = new ShimResponse(new ExitResult(7, 137, DateTimeOffset.UnixEpoch, true));
        var failed = new ShimResponse(null, new ShimError(ShimErrorCode.RuntimeError, "runc start", "container not found"));

        var okBack = JsonSerializer.Deserialize(JsonSerializer.Serialize(ok, ShimJsonContext.Default.ShimResponse), ShimJsonContext.Default.ShimResponse)!;
        var failedJson = JsonSerializer.Serialize(failed, ShimJsonContext.Default.ShimResponse);
        var failedBack = JsonSerializer.Deserialize(failedJson, ShimJsonContext.Default.ShimResponse)!;

        Assert.Equal(ok.Result, okBack.Result);
        Assert.Contains("\"code\":\"RuntimeError\"", failedJson, StringComparison.Ordinal);
        Assert.Equal(failed.Error, failedBack.Error);
        Assert.Equal("runc start: container not found", new ShimException(failedBack.Error!).Message);
    }

    [Fact]
    public void UnknownOpIsAJsonError()
    {
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize("""{"op":"explode","containerId":"c"}""", ShimJsonContext.Default.ShimRequest));
    }

    [Fact]
    public async Task AttachFramesRoundTrip()
    {
        using var stream = new MemoryStream();
        stream.Write(AttachFraming.Encode(AttachFrameKind.Stderr, "oops"u8));
        stream.Write(AttachFraming.Encode(AttachFrameKind.CloseStdin, []));
        stream.Position = 0;

        var first = await AttachFraming.ReadAsync(stream);
        var second = await AttachFraming.ReadAsync(stream);

        Assert.Equal(AttachFrameKind.Stderr, first!.Value.Kind);
        Assert.Equal("oops"u8.ToArray(), first.Value.Payload.ToArray());
        Assert.Equal(AttachFrameKind.CloseStdin, second!.Value.Kind);
        Assert.Equal(0, second.Value.Payload.Length);
        Assert.Null(await AttachFraming.ReadAsync(stream));
    }

    [Fact]
    public async Task UnknownAttachFrameKindIsRefused()
    {
        using var stream = new MemoryStream([9, 0, 0, 0, 0]);

        await Assert.ThrowsAsync<ShimProtocolException>(async () => await AttachFraming.ReadAsync(stream));
    }

    [Fact]
    public void SocketPathIsStableShortAndDistinct()
    {
        var a = ShimPaths.SocketPath("/run/pscontainer/s", "c1", "/very/long/bundle/" + new string('x', 200));
        var again = ShimPaths.SocketPath("/run/pscontainer/s", "c1", "/very/long/bundle/" + new string('x', 200));
        var other = ShimPaths.SocketPath("/run/pscontainer/s", "c2", "/very/long/bundle/" + new string('x', 200));

        Assert.Equal(a, again);
        Assert.NotEqual(a, other);
        Assert.True(a.Length < 108);
        Assert.Equal(a, ShimPaths.SocketPathFromAddress("unix://" + a));
        Assert.Throws<ArgumentException>(() => ShimPaths.SocketPathFromAddress("tcp://1.2.3.4:5"));
    }

    [Fact]
    public void ExitRecordIsWrittenAtomicallyAndRead()
    {
        var dir = Directory.CreateTempSubdirectory("psc-shim-unit-");
        try
        {
            Assert.Null(ShimExitRecord.TryRead(dir.FullName));
            var record = new ShimExitRecord(42, 143, DateTimeOffset.UnixEpoch.AddSeconds(1.5), OomKilled: false);
            record.Write(dir.FullName);
            File.WriteAllText(Path.Combine(dir.FullName, "x"), "");

            Assert.Equal(record, ShimExitRecord.TryRead(dir.FullName));
            Assert.False(File.Exists(ShimExitRecord.PathIn(dir.FullName) + ".tmp"));
            File.WriteAllText(ShimExitRecord.PathIn(dir.FullName), "{not json");
            Assert.Throws<InvalidDataException>(() => ShimExitRecord.TryRead(dir.FullName));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>Returns at most one byte per read, as a slow socket might.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 1)], cancellationToken);
    }
}
