using System.Net.Sockets;
using System.Text.Json;
using PSContainer.ShimApi;
using Xunit;

namespace PSContainer.Shim.Tests;

/// <summary>ShimClient and ShimEventListener against scripted peers on temporary Unix sockets.</summary>
public sealed class ShimClientTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("psc-shim-client-");

    private string SocketPath => Path.Combine(_dir.FullName, "s.sock");

    public void Dispose() => _dir.Delete(recursive: true);

    /// <summary>A fake shim: answers Connect, then lets <paramref name="answer"/> decide (null: stay silent).</summary>
    private Task FakeShimAsync(Socket listener, Func<ShimRequest, ShimResponse?> answer, CancellationToken cancellationToken) => Task.Run(async () =>
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var client = await listener.AcceptAsync(cancellationToken);
            _ = Task.Run(async () =>
            {
                using var stream = new NetworkStream(client, ownsSocket: true);
                while (await ShimProtocol.ReadFrameAsync(stream, cancellationToken) is { } frame)
                {
                    var request = JsonSerializer.Deserialize(frame, ShimJsonContext.Default.ShimRequest)!;
                    var response = request is ConnectRequest
                        ? new ShimResponse(new ConnectResult(1234, ShimProtocol.Version, 0, "test"))
                        : answer(request);
                    if (response is null)
                    {
                        await Task.Delay(Timeout.Infinite, cancellationToken);
                    }
                    await ShimProtocol.WriteFrameAsync(stream, JsonSerializer.SerializeToUtf8Bytes(response!, ShimJsonContext.Default.ShimResponse), cancellationToken);
                }
            }, cancellationToken);
        }
    }, cancellationToken);

    private Socket Listen()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(SocketPath));
        socket.Listen(8);
        return socket;
    }

    [Fact]
    public async Task ConnectChecksTheHandshakeAndTypedErrorsAreThrown()
    {
        using var listener = Listen();
        using var stop = new CancellationTokenSource();
        _ = FakeShimAsync(listener, _ => new ShimResponse(null, new ShimError(ShimErrorCode.NotFound, "no exec x")), stop.Token);

        await using var client = await ShimClient.ConnectAsync("unix://" + SocketPath, "c1");
        var error = await Assert.ThrowsAsync<ShimException>(() => client.StateAsync("x"));

        Assert.Equal(1234, client.Hello!.ShimPid);
        Assert.Equal(ShimErrorCode.NotFound, error.Code);
        await stop.CancelAsync();
    }

    [Fact]
    public async Task SilentShimTimesOutAndTheNextRequestReconnects()
    {
        using var listener = Listen();
        using var stop = new CancellationTokenSource();
        var calls = 0;
        _ = FakeShimAsync(listener, _ => Interlocked.Increment(ref calls) == 1 ? null : new ShimResponse(new PidResult(42)), stop.Token);
        // The timeout also bounds the reconnect's handshake and the answered request: generous, so
        // a loaded machine (tests run in parallel) does not turn the second request into a timeout too.
        await using var client = await ShimClient.ConnectAsync(SocketPath, "c1", TimeSpan.FromSeconds(2));

        await Assert.ThrowsAsync<TimeoutException>(() => client.StartAsync());
        var pid = await client.StartAsync();

        Assert.Equal(42, pid);
        await stop.CancelAsync();
    }

    [Fact]
    public async Task CancellationIsNotReportedAsTimeout()
    {
        using var listener = Listen();
        using var stop = new CancellationTokenSource();
        _ = FakeShimAsync(listener, _ => null, stop.Token);
        await using var client = await ShimClient.ConnectAsync(SocketPath, "c1");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.StateAsync(cancellationToken: cancel.Token));
        await stop.CancelAsync();
    }

    [Fact]
    public async Task RequestForAnotherContainerIsRefusedBeforeSending()
    {
        using var listener = Listen();
        using var stop = new CancellationTokenSource();
        _ = FakeShimAsync(listener, _ => new ShimResponse(new EmptyResult()), stop.Token);
        await using var client = await ShimClient.ConnectAsync(SocketPath, "c1");

        await Assert.ThrowsAsync<ArgumentException>(() => client.SendAsync(new StateRequest("c2")));
        await stop.CancelAsync();
    }

    [Fact]
    public async Task NoShimListeningIsASocketError()
    {
        await Assert.ThrowsAsync<SocketException>(() => ShimClient.ConnectAsync(SocketPath, "c1"));
    }

    [Fact]
    public async Task EventListenerAcknowledgesEveryEventAndDropsRepeats()
    {
        var handled = new List<long>();
        await using var listener = ShimEventListener.Start(SocketPath, (e, _) =>
        {
            lock (handled)
            {
                handled.Add(e.Sequence);
            }
            return ValueTask.CompletedTask;
        });
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
        await using var stream = new NetworkStream(socket);

        var acks = new List<long>();
        foreach (var sequence in new long[] { 1, 2, 2, 1, 3 })
        {
            var shimEvent = new ShimEvent(sequence, ShimEventType.TaskStart, "c1", 99, DateTimeOffset.UtcNow);
            await ShimProtocol.WriteFrameAsync(stream, JsonSerializer.SerializeToUtf8Bytes(shimEvent, ShimJsonContext.Default.ShimEvent));
            var ack = await ShimProtocol.ReadFrameAsync(stream);
            acks.Add(JsonSerializer.Deserialize(ack, ShimJsonContext.Default.ShimEventAck)!.Sequence);
        }

        Assert.Equal([1L, 2, 2, 1, 3], acks);
        Assert.Equal([1L, 2, 3], handled);
    }

    [Fact]
    public async Task EventWhoseHandlerFailsIsNotAcknowledged()
    {
        await using var listener = ShimEventListener.Start(SocketPath, (_, _) => throw new InvalidOperationException("engine busy"));
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
        await using var stream = new NetworkStream(socket);

        var shimEvent = new ShimEvent(1, ShimEventType.TaskExit, "c1", 99, DateTimeOffset.UtcNow, ExitCode: 1);
        await ShimProtocol.WriteFrameAsync(stream, JsonSerializer.SerializeToUtf8Bytes(shimEvent, ShimJsonContext.Default.ShimEvent));

        Assert.Null(await ShimProtocol.ReadFrameAsync(stream));
    }
}
