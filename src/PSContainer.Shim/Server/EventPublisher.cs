using System.Net.Sockets;
using System.Text.Json;
using PSContainer.ShimApi;

namespace PSContainer.Shim.Server;

/// <summary>
/// Sends <see cref="ShimEvent"/>s to the engine's events socket, in order, each until the engine
/// acknowledges it. While the engine is away events wait in a queue (at most <see cref="MaxQueued"/>;
/// beyond that the oldest are dropped and logged — the exit also lives in the bundle's exit file)
/// and the connection is retried with a growing pause.
/// </summary>
internal sealed class EventPublisher : IAsyncDisposable
{
    public const int MaxQueued = 1024;

    private readonly string? _address;
    private readonly string _containerId;
    private readonly int _shimPid = Environment.ProcessId;
    private readonly Lock _gate = new();
    private readonly LinkedList<ShimEvent> _queue = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _sequence;

    public EventPublisher(string? address, string containerId)
    {
        _address = address;
        _containerId = containerId;
        _loop = address is null ? Task.CompletedTask : Task.Run(LoopAsync);
    }

    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Queues an event; the sequence number follows the order of the calls.</summary>
    public void Publish(ShimEventType type, string? execId = null, int? pid = null, ExitResult? exit = null)
    {
        if (_address is null)
        {
            return;
        }
        lock (_gate)
        {
            var shimEvent = new ShimEvent(++_sequence, type, _containerId, _shimPid, DateTimeOffset.UtcNow, execId, pid,
                exit?.ExitCode, exit?.ExitedAt, exit?.OomKilled ?? false);
            _queue.AddLast(shimEvent);
            if (_queue.Count > MaxQueued)
            {
                ShimLog.Warn($"event queue full: dropping event {_queue.First!.Value.Sequence} ({_queue.First.Value.Type})");
                _queue.RemoveFirst();
            }
        }
        _signal.Release();
    }

    /// <summary>Gives the queue up to <paramref name="limit"/> to drain (before the shim exits).</summary>
    public async Task FlushAsync(TimeSpan limit)
    {
        var deadline = DateTimeOffset.UtcNow + limit;
        while (Pending > 0 && DateTimeOffset.UtcNow < deadline && !_loop.IsCompleted)
        {
            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    private async Task LoopAsync()
    {
        var pause = TimeSpan.FromMilliseconds(200);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await _signal.WaitAsync(_stop.Token).ConfigureAwait(false);
                _signal.Release();
                using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(_address!), _stop.Token).ConfigureAwait(false);
                await using var stream = new NetworkStream(socket);
                pause = TimeSpan.FromMilliseconds(200);
                await SendQueuedAsync(stream).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or SocketException or ShimProtocolException or JsonException)
            {
                await Task.Delay(pause, _stop.Token).ConfigureAwait(false);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    /// <summary>Sends the head of the queue and drops it when acknowledged, while the connection holds.</summary>
    private async Task SendQueuedAsync(NetworkStream stream)
    {
        while (true)
        {
            ShimEvent? head;
            lock (_gate)
            {
                head = _queue.First?.Value;
            }
            if (head is null)
            {
                await _signal.WaitAsync(_stop.Token).ConfigureAwait(false);
                continue;
            }
            await ShimProtocol.WriteFrameAsync(stream, JsonSerializer.SerializeToUtf8Bytes(head, ShimJsonContext.Default.ShimEvent), _stop.Token).ConfigureAwait(false);
            var frame = await ShimProtocol.ReadFrameAsync(stream, _stop.Token).ConfigureAwait(false)
                ?? throw new IOException("the engine closed the events connection");
            var ack = JsonSerializer.Deserialize(frame, ShimJsonContext.Default.ShimEventAck);
            if (ack?.Sequence != head.Sequence)
            {
                throw new ShimProtocolException($"engine acknowledged {ack?.Sequence} for event {head.Sequence}");
            }
            lock (_gate)
            {
                if (_queue.First?.Value == head)
                {
                    _queue.RemoveFirst();
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
        _signal.Dispose();
    }
}
