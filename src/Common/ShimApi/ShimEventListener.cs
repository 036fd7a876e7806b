using System.Net.Sockets;
using System.Text.Json;

namespace PSContainer.ShimApi;

/// <summary>
/// The engine's end of the events socket: shims connect, send <see cref="ShimEvent"/> frames
/// (the shim protocol's framing), and get a <see cref="ShimEventAck"/> for each once the handler
/// has returned. An event is acknowledged only after the handler ran, so a handler that throws
/// makes the shim resend it later. Repeats of an acknowledged event (same container, shim pid
/// and sequence or lower) are acknowledged without calling the handler.
/// </summary>
public sealed class ShimEventListener : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly Func<ShimEvent, CancellationToken, ValueTask> _handler;
    private readonly Dictionary<(string ContainerId, int ShimPid), long> _acknowledged = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;

    private ShimEventListener(Socket listener, string socketPath, Func<ShimEvent, CancellationToken, ValueTask> handler)
    {
        _listener = listener;
        SocketPath = socketPath;
        _handler = handler;
        _acceptLoop = AcceptLoopAsync();
    }

    public string SocketPath { get; }

    /// <summary>Binds <paramref name="socketPath"/> (replacing a stale socket file) and starts accepting.</summary>
    public static ShimEventListener Start(string socketPath, Func<ShimEvent, CancellationToken, ValueTask> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Directory.CreateDirectory(Path.GetDirectoryName(socketPath)!);
        File.Delete(socketPath);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(socketPath));
            socket.Listen(64);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new ShimEventListener(socket, socketPath, handler);
    }

    private async Task AcceptLoopAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
                connections.RemoveAll(t => t.IsCompleted);
                connections.Add(ServeAsync(client));
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException) when (_stop.IsCancellationRequested)
        {
        }
        await Task.WhenAll(connections).ConfigureAwait(false);
    }

    private async Task ServeAsync(Socket client)
    {
        using var stream = new NetworkStream(client, ownsSocket: true);
        try
        {
            while (await ShimProtocol.ReadFrameAsync(stream, _stop.Token).ConfigureAwait(false) is { } frame)
            {
                var shimEvent = JsonSerializer.Deserialize(frame, ShimJsonContext.Default.ShimEvent)
                    ?? throw new ShimProtocolException("empty event frame");
                var key = (shimEvent.ContainerId, shimEvent.ShimPid);
                bool seen;
                lock (_acknowledged)
                {
                    seen = _acknowledged.TryGetValue(key, out var last) && shimEvent.Sequence <= last;
                }
                if (!seen)
                {
                    await _handler(shimEvent, _stop.Token).ConfigureAwait(false);
                    lock (_acknowledged)
                    {
                        _acknowledged[key] = shimEvent.Sequence;
                        if (shimEvent.Type == ShimEventType.TaskDelete)
                        {
                            // Nothing follows a delete from this shim instance; forget it.
                            _acknowledged.Remove(key);
                        }
                    }
                }
                var ack = JsonSerializer.SerializeToUtf8Bytes(new ShimEventAck(shimEvent.Sequence), ShimJsonContext.Default.ShimEventAck);
                await ShimProtocol.WriteFrameAsync(stream, ack, _stop.Token).ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // whatever failed (transport, bad frame, the handler), the shim resends what was not acknowledged
        catch (Exception)
        {
        }
#pragma warning restore CA1031
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        File.Delete(SocketPath);
        _stop.Dispose();
    }
}
