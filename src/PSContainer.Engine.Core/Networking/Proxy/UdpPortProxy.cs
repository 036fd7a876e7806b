using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace PSContainer.Engine.Core.Networking.Proxy;

/// <summary>
/// Relays datagrams: each client address gets its own flow, a socket connected to the container, so
/// the container's replies go back to the right client through the host port. A flow without
/// traffic for <see cref="UserlandProxyOptions.UdpIdleTimeout"/> is closed (UDP has no end).
/// </summary>
internal sealed class UdpPortProxy : IPortProxy
{
    private readonly Socket _host;
    private readonly UserlandProxyOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<EndPoint, Flow> _flows = new();
    private readonly Task _receiveLoop;
    private readonly Task _sweepLoop;
    private int _disposed;

    public UdpPortProxy(Socket host, IPEndPoint target, UserlandProxyOptions options)
    {
        _host = host;
        _options = options;
        Target = target;
        HostEndPoint = (IPEndPoint)host.LocalEndPoint!;
        _receiveLoop = Task.Run(ReceiveFromClientsAsync);
        _sweepLoop = Task.Run(SweepIdleFlowsAsync);
    }

    public ProtocolType Protocol => ProtocolType.Udp;

    public IPEndPoint HostEndPoint { get; }

    public IPEndPoint Target { get; }

    /// <summary>Client flows alive now (for tests and diagnostics).</summary>
    internal int ActiveFlows => _flows.Count;

    private async Task ReceiveFromClientsAsync()
    {
        var buffer = new byte[65535];
        var anyone = new IPEndPoint(HostEndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _host.ReceiveFromAsync(buffer, SocketFlags.None, anyone, token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                break;
            }
            catch (SocketException)
            {
                continue; // an ICMP error about an earlier reply to some client
            }
            var flow = FlowFor(received.RemoteEndPoint);
            if (flow is null)
            {
                continue;
            }
            flow.Touch();
            try
            {
                await flow.Backend.SendAsync(buffer.AsMemory(0, received.ReceivedBytes), SocketFlags.None, token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // The container is not listening (yet) or the flow was just swept: the datagram is lost, as on a wire.
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private Flow? FlowFor(EndPoint client)
    {
        if (_flows.TryGetValue(client, out var existing))
        {
            return existing;
        }
        if (_flows.Count >= _options.MaxUdpFlows)
        {
            return null;
        }
        var backend = new Socket(Target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            backend.Connect(Target);
        }
        catch (SocketException)
        {
            backend.Dispose();
            return null;
        }
        var flow = new Flow(client, backend);
        _flows[client] = flow;
        flow.Replies = Task.Run(() => RelayRepliesAsync(flow, _stop.Token));
        return flow;
    }

    private async Task RelayRepliesAsync(Flow flow, CancellationToken token)
    {
        var buffer = new byte[65535];
        while (!token.IsCancellationRequested)
        {
            int read;
            try
            {
                read = await flow.Backend.ReceiveAsync(buffer, SocketFlags.None, token).ConfigureAwait(false);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                continue; // ICMP port unreachable for an earlier datagram: the flow stays
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                break;
            }
            flow.Touch();
            try
            {
                await _host.SendToAsync(buffer.AsMemory(0, read), SocketFlags.None, flow.Client, token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                break;
            }
            catch (SocketException)
            {
                // The client is gone; the idle sweep ends the flow.
            }
        }
    }

    private async Task SweepIdleFlowsAsync()
    {
        var period = TimeSpan.FromTicks(Math.Clamp(_options.UdpIdleTimeout.Ticks / 4, TimeSpan.FromMilliseconds(10).Ticks, TimeSpan.FromSeconds(5).Ticks));
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                var now = Environment.TickCount64;
                foreach (var (client, flow) in _flows)
                {
                    if (now - flow.LastActivity >= _options.UdpIdleTimeout.TotalMilliseconds && _flows.TryRemove(client, out _))
                    {
                        flow.Backend.Dispose();
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        _host.Dispose();
        await Task.WhenAll(_receiveLoop, _sweepLoop).ConfigureAwait(false);
        foreach (var flow in _flows.Values)
        {
            flow.Backend.Dispose();
        }
        await Task.WhenAll(_flows.Values.Select(f => f.Replies ?? Task.CompletedTask)).ConfigureAwait(false);
        _flows.Clear();
        _stop.Dispose();
    }

    private sealed class Flow(EndPoint client, Socket backend)
    {
        private long _lastActivity = Environment.TickCount64;

        public EndPoint Client { get; } = client;

        public Socket Backend { get; } = backend;

        public Task? Replies { get; set; }

        public long LastActivity => Interlocked.Read(ref _lastActivity);

        public void Touch() => Interlocked.Exchange(ref _lastActivity, Environment.TickCount64);
    }
}
