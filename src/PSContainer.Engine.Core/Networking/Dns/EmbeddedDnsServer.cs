using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace PSContainer.Engine.Core.Networking.Dns;

/// <summary>
/// The DNS server a container on a user-defined network sees at 127.0.0.11:53 (UDP and TCP), like
/// Docker's embedded DNS. The listening sockets are created inside the container's network namespace
/// by <see cref="NetworkNamespaceThread"/> and served here, in the engine, with async I/O; there is no
/// process per container. Disposing closes the sockets (which also lets the namespace go once the
/// container is gone: an open socket keeps its namespace alive).
/// </summary>
public sealed class EmbeddedDnsServer : IAsyncDisposable
{
    /// <summary>Where containers find the server (their /etc/resolv.conf says nameserver 127.0.0.11).</summary>
    public static readonly IPEndPoint DefaultEndPoint = new(UpstreamForwarder.EmbeddedAddress, 53);

    /// <summary>Queries answered at the same time over UDP; more are dropped, and the client's retry comes later.</summary>
    public const int MaxConcurrentQueries = 64;

    /// <summary>TCP connections served at the same time; RFC 7766 asks servers to bound them.</summary>
    public const int MaxTcpConnections = 16;

    /// <summary>An idle TCP connection is closed after this long (RFC 7766 6.2.3 suggests seconds).</summary>
    public static readonly TimeSpan TcpIdleTimeout = TimeSpan.FromSeconds(10);

    private readonly Socket _udp;
    private readonly Socket _tcp;
    private readonly DnsQueryHandler _handler;
    private readonly Action<string>? _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _udpSlots = new(MaxConcurrentQueries);
    private readonly ConcurrentDictionary<Task, byte> _work = new();
    private readonly Task _udpLoop;
    private readonly Task _tcpLoop;
    private int _tcpConnections;
    private int _disposed;

    private EmbeddedDnsServer(Socket udp, Socket tcp, DnsQueryHandler handler, Action<string>? log)
    {
        _udp = udp;
        _tcp = tcp;
        _handler = handler;
        _log = log;
        _udpLoop = Task.Run(ServeUdpAsync);
        _tcpLoop = Task.Run(AcceptTcpAsync);
    }

    /// <summary>The address the sockets are bound to (inside the namespace).</summary>
    public IPEndPoint EndPoint => (IPEndPoint)_udp.LocalEndPoint!;

    /// <summary>
    /// Starts the server for one container: binds 127.0.0.11:53 inside <paramref name="netnsPath"/>
    /// (whose loopback must be up), answers container names from <paramref name="records"/> and
    /// forwards the rest to <paramref name="upstreams"/> from the host's namespace.
    /// </summary>
    public static Task<EmbeddedDnsServer> StartAsync(
        string netnsPath,
        string containerId,
        IDnsRecordSource records,
        IReadOnlyList<IPEndPoint> upstreams,
        Action<string>? log = null,
        CancellationToken cancellationToken = default) =>
        StartAsync(netnsPath, DefaultEndPoint, new DnsQueryHandler(containerId, records, new UpstreamForwarder(upstreams)), log, cancellationToken);

    /// <summary>The general form: any listening endpoint and any handler (tests use other ports and fake forwarders).</summary>
    public static async Task<EmbeddedDnsServer> StartAsync(
        string netnsPath,
        IPEndPoint listen,
        DnsQueryHandler handler,
        Action<string>? log = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(listen);
        ArgumentNullException.ThrowIfNull(handler);
        cancellationToken.ThrowIfCancellationRequested();
        var (udp, tcp) = await NetworkNamespaceThread.RunAsync(netnsPath, () => Bind(listen, netnsPath)).ConfigureAwait(false);
        if (cancellationToken.IsCancellationRequested)
        {
            udp.Dispose();
            tcp.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
        }
        return new EmbeddedDnsServer(udp, tcp, handler, log);
    }

    /// <summary>Runs on the namespace thread: both sockets or neither.</summary>
    private static (Socket Udp, Socket Tcp) Bind(IPEndPoint listen, string netnsPath)
    {
        Socket? udp = null;
        Socket? tcp = null;
        try
        {
            udp = new Socket(listen.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(listen);
            tcp = new Socket(listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            Proxy.UserlandProxy.SetReuseAddressOnly(tcp); // a quick restart of the server finds 53 free despite TIME_WAIT
            tcp.Bind(listen);
            tcp.Listen(MaxTcpConnections);
            return (udp, tcp);
        }
        catch (SocketException e)
        {
            udp?.Dispose();
            tcp?.Dispose();
            throw new IOException($"embedded DNS: bind {listen} in network namespace {netnsPath}: {e.SocketErrorCode} ({e.Message})", e);
        }
    }

    private async Task ServeUdpAsync()
    {
        var buffer = new byte[DnsWire.TcpLimit];
        var anyone = new IPEndPoint(_udp.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, anyone, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
            {
                continue; // an ICMP error for an earlier answer, or an oversized datagram: not fatal
            }
            if (!_udpSlots.Wait(0))
            {
                continue;
            }
            var request = buffer.AsSpan(0, received.ReceivedBytes).ToArray();
            Track(AnswerUdpAsync(request, received.RemoteEndPoint, token));
        }
    }

    private async Task AnswerUdpAsync(byte[] request, EndPoint client, CancellationToken token)
    {
        try
        {
            var response = await _handler.HandleAsync(request, overTcp: false, token).ConfigureAwait(false);
            if (response is not null)
            {
                await _udp.SendToAsync(response, SocketFlags.None, client, token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException && token.IsCancellationRequested)
        {
        }
        catch (SocketException e)
        {
            _log?.Invoke($"embedded DNS: answer to {client}: {e.Message}");
        }
        finally
        {
            _udpSlots.Release();
        }
    }

    private async Task AcceptTcpAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _tcp.AcceptAsync(token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                break;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionAborted or SocketError.ConnectionReset)
            {
                continue;
            }
            if (Interlocked.Increment(ref _tcpConnections) > MaxTcpConnections)
            {
                Interlocked.Decrement(ref _tcpConnections);
                connection.Dispose();
                continue;
            }
            Track(ServeTcpAsync(connection, token));
        }
    }

    private async Task ServeTcpAsync(Socket connection, CancellationToken token)
    {
        try
        {
            await using var stream = new NetworkStream(connection, ownsSocket: true);
            while (true)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(token);
                idle.CancelAfter(TcpIdleTimeout);
                var request = await DnsTcpFraming.ReadAsync(stream, idle.Token).ConfigureAwait(false);
                if (request is null)
                {
                    break;
                }
                var response = await _handler.HandleAsync(request, overTcp: true, token).ConfigureAwait(false);
                if (response is null)
                {
                    break;
                }
                await DnsTcpFraming.WriteAsync(stream, response, token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // Idle timeout, a client that went away or shutdown: the connection just ends.
        }
        finally
        {
            Interlocked.Decrement(ref _tcpConnections);
        }
    }

    private void Track(Task task)
    {
        _work.TryAdd(task, 0);
        _ = task.ContinueWith(t => _work.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        _udp.Dispose();
        _tcp.Dispose();
        await Task.WhenAll([_udpLoop, _tcpLoop, .. _work.Keys]).ConfigureAwait(false);
        _stop.Dispose();
        _udpSlots.Dispose();
    }
}
