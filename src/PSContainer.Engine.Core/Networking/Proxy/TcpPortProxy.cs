using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace PSContainer.Engine.Core.Networking.Proxy;

/// <summary>
/// Accepts on the host port and relays each connection to the container. Each direction is a loop
/// that writes what it read before it reads again, so a slow reader on one side fills the kernel
/// buffers and TCP flow control slows the writer on the other (backpressure, nothing piles up in
/// the engine). An end of stream on one side becomes a shutdown(SHUT_WR) on the other (half-close),
/// and the connection ends when both directions have ended; a reset on either side resets both.
/// </summary>
internal sealed class TcpPortProxy : IPortProxy
{
    private readonly Socket _listener;
    private readonly UserlandProxyOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Connection, Task> _connections = new();
    private readonly Task _acceptLoop;
    private int _disposed;

    public TcpPortProxy(Socket listener, IPEndPoint target, UserlandProxyOptions options)
    {
        _listener = listener;
        _options = options;
        Target = target;
        HostEndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _acceptLoop = Task.Run(AcceptAsync);
    }

    public ProtocolType Protocol => ProtocolType.Tcp;

    public IPEndPoint HostEndPoint { get; }

    public IPEndPoint Target { get; }

    /// <summary>Connections being relayed now (for tests and diagnostics).</summary>
    internal int ActiveConnections => _connections.Count;

    private async Task AcceptAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                break;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionAborted or SocketError.ConnectionReset
                or SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable)
            {
                // A client that gave up before accept, or fds exhausted for a moment: keep serving.
                continue;
            }
            var connection = new Connection(client);
            _connections[connection] = RelayAsync(connection, token);
            // Registered after the add, so the removal cannot come first.
            _ = _connections[connection].ContinueWith(_ => _connections.TryRemove(connection, out Task? _), CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task RelayAsync(Connection connection, CancellationToken token)
    {
        var client = connection.Client;
        client.NoDelay = true;
        using var backend = new Socket(Target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        connection.Backend = backend;
        try
        {
            using (var connect = CancellationTokenSource.CreateLinkedTokenSource(token))
            {
                connect.CancelAfter(_options.ConnectTimeout);
                await backend.ConnectAsync(Target, connect.Token).ConfigureAwait(false);
            }
            var upstream = PumpAsync(client, backend, token);
            var downstream = PumpAsync(backend, client, token);
            await Task.WhenAll(upstream, downstream).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // The container refused or did not answer, or one side reset: reset the client too
            // (a linger of 0 makes close send RST), as docker-proxy does.
            Reset(client);
        }
        finally
        {
            client.Dispose();
        }
    }

    /// <summary>Copies one direction until end of stream, then half-closes the receiving side.</summary>
    private async Task PumpAsync(Socket from, Socket to, CancellationToken token)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(_options.BufferSize);
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer.AsMemory(0, _options.BufferSize), SocketFlags.None, token).ConfigureAwait(false);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }
                var sent = 0;
                while (sent < read)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, token).ConfigureAwait(false);
                }
            }
        }
        catch
        {
            // Unblock the other direction: it is waiting on a socket this failure makes useless.
            Reset(from);
            Reset(to);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed: nothing to reset.
        }
        socket.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        foreach (var connection in _connections.Keys)
        {
            Reset(connection.Client);
            connection.Backend?.Dispose();
        }
        try
        {
            await Task.WhenAll(_connections.Values).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // Connections cut by the shutdown.
        }
        _stop.Dispose();
    }

    private sealed class Connection(Socket client)
    {
        public Socket Client { get; } = client;

        public Socket? Backend { get; set; }
    }
}
