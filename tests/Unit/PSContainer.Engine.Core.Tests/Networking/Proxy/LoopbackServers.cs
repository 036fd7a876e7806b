using System.Net;
using System.Net.Sockets;

namespace PSContainer.Engine.Core.Tests.Networking.Proxy;

/// <summary>A TCP server on 127.0.0.1 that runs <paramref name="serve"/> for each connection; stands in for a container's service.</summary>
internal sealed class LoopbackTcpServer : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _handlers = [];
    private readonly Task _accept;

    public LoopbackTcpServer(Func<Socket, Task> serve)
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen();
        _accept = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    var connection = await _listener.AcceptAsync(_stop.Token);
                    lock (_handlers)
                    {
                        _handlers.Add(Task.Run(async () =>
                        {
                            using (connection)
                            {
                                await serve(connection);
                            }
                        }));
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
            }
        });
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>Echoes until the client's end of stream, then closes.</summary>
    public static LoopbackTcpServer Echo() => new(async socket =>
    {
        var buffer = new byte[8192];
        int read;
        while ((read = await socket.ReceiveAsync(buffer)) > 0)
        {
            await socket.SendAsync(buffer.AsMemory(0, read));
        }
        socket.Shutdown(SocketShutdown.Send);
    });

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _accept;
        Task[] handlers;
        lock (_handlers)
        {
            handlers = [.. _handlers];
        }
        try
        {
            await Task.WhenAll(handlers);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // A handler cut off by a test that reset its connection.
        }
        _stop.Dispose();
    }
}

/// <summary>A UDP echo on 127.0.0.1 that prefixes each reply, so replies can be told from requests.</summary>
internal sealed class LoopbackUdpEcho : IAsyncDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LoopbackUdpEcho()
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _loop = Task.Run(async () =>
        {
            var buffer = new byte[65535];
            try
            {
                while (true)
                {
                    var received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
                    var reply = "echo:"u8.ToArray().Concat(buffer[..received.ReceivedBytes]).ToArray();
                    await _socket.SendToAsync(reply, SocketFlags.None, received.RemoteEndPoint, _stop.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
            }
        });
    }

    public IPEndPoint EndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        await _loop;
        _stop.Dispose();
    }
}
