using System.Net;
using System.Net.Sockets;
using PSContainer.Engine.Core.Networking.Dns;

namespace PSContainer.Engine.Core.Tests.Networking.Dns;

/// <summary>
/// A resolver on 127.0.0.1 (UDP and TCP on the same ephemeral port) that answers every query with
/// <see cref="Address"/>, or stays silent, or answers SERVFAIL. Counts what it was asked.
/// </summary>
internal sealed class FakeUpstream : IDisposable
{
    private readonly Socket _udp;
    private readonly Socket _tcp;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _udpLoop;
    private readonly Task _tcpLoop;
    private int _udpQueries;
    private int _tcpQueries;

    public enum Behaviour { Answer, Silent, ServerFailure, WrongId }

    public FakeUpstream(string address, Behaviour behaviour = Behaviour.Answer)
    {
        Address = IPAddress.Parse(address);
        Mode = behaviour;
        (_udp, _tcp) = BindPair();
        _udpLoop = Task.Run(ServeUdpAsync);
        _tcpLoop = Task.Run(ServeTcpAsync);
    }

    public IPAddress Address { get; }

    /// <summary>
    /// A UDP and a TCP socket on one port. The UDP port is ephemeral; the same TCP port may be in
    /// use by someone else (the suites run in parallel), so a taken one means: try another.
    /// </summary>
    private static (Socket Udp, Socket Tcp) BindPair()
    {
        for (var attempt = 0; ; attempt++)
        {
            var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, ((IPEndPoint)udp.LocalEndPoint!).Port));
                tcp.Listen();
                return (udp, tcp);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && attempt < 20)
            {
                udp.Dispose();
                tcp.Dispose();
            }
        }
    }

    public Behaviour Mode { get; }

    public IPEndPoint EndPoint => (IPEndPoint)_udp.LocalEndPoint!;

    public int UdpQueries => Volatile.Read(ref _udpQueries);

    public int TcpQueries => Volatile.Read(ref _tcpQueries);

    private byte[]? Respond(byte[] query)
    {
        var parsed = DnsQueryReader.Read(query);
        return Mode switch
        {
            Behaviour.Silent => null,
            Behaviour.ServerFailure => DnsResponseWriter.Write(parsed, DnsResponseCode.ServerFailure, [], false, true, 512),
            Behaviour.WrongId => DnsResponseWriter.Write(parsed with { Id = (ushort)(parsed.Id + 1) }, DnsResponseCode.NoError,
                [DnsAnswer.For(Address, 30)], false, true, 512),
            _ => DnsResponseWriter.Write(parsed, DnsResponseCode.NoError, [DnsAnswer.For(Address, 30)], false, true, 512),
        };
    }

    private async Task ServeUdpAsync()
    {
        var buffer = new byte[65535];
        try
        {
            while (true)
            {
                var received = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
                Interlocked.Increment(ref _udpQueries);
                if (Respond(buffer[..received.ReceivedBytes]) is { } response)
                {
                    await _udp.SendToAsync(response, SocketFlags.None, received.RemoteEndPoint, _stop.Token);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private async Task ServeTcpAsync()
    {
        try
        {
            while (true)
            {
                using var connection = await _tcp.AcceptAsync(_stop.Token);
                await using var stream = new NetworkStream(connection);
                var query = await DnsTcpFraming.ReadAsync(stream, _stop.Token);
                Interlocked.Increment(ref _tcpQueries);
                if (query is not null && Respond(query) is { } response)
                {
                    await DnsTcpFraming.WriteAsync(stream, response, _stop.Token);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException or IOException)
        {
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _udp.Dispose();
        _tcp.Dispose();
        Task.WaitAll(_udpLoop, _tcpLoop);
        _stop.Dispose();
    }
}
