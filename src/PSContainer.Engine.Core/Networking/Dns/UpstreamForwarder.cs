using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace PSContainer.Engine.Core.Networking.Dns;

/// <summary>
/// Forwards queries to upstream resolvers in order, each with a timeout, over the transport the
/// client used. Its sockets are made on ordinary engine threads, so they live in the host's network
/// namespace: a host resolver on 127.0.0.53 (systemd-resolved) or 127.0.0.1 is reachable, which
/// it would not be from inside the container. Every query gets a fresh socket with its own
/// ephemeral port, so clients' ids never collide and an answer can only come from the upstream it
/// was sent to (a connected UDP socket drops datagrams from other sources).
/// </summary>
public sealed class UpstreamForwarder : IDnsForwarder
{
    /// <summary>The embedded server's own address: never an upstream, or a query could loop forever.</summary>
    public static readonly IPAddress EmbeddedAddress = IPAddress.Parse("127.0.0.11");

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(4);

    private readonly IReadOnlyList<IPEndPoint> _upstreams;
    private readonly TimeSpan _timeout;

    public UpstreamForwarder(IEnumerable<IPEndPoint> upstreams, TimeSpan? timeout = null)
    {
        _upstreams = [.. upstreams.Where(u => !u.Address.Equals(EmbeddedAddress)).Distinct()];
        _timeout = timeout ?? DefaultTimeout;
    }

    public IReadOnlyList<IPEndPoint> Upstreams => _upstreams;

    public bool HasUpstreams => _upstreams.Count > 0;

    public async ValueTask<byte[]?> ForwardAsync(ReadOnlyMemory<byte> query, bool overTcp, CancellationToken cancellationToken)
    {
        if (query.Length < DnsWire.HeaderLength)
        {
            return null;
        }
        var id = BinaryPrimitives.ReadUInt16BigEndian(query.Span);
        byte[]? fallback = null;
        foreach (var upstream in _upstreams)
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(_timeout);
            byte[]? response;
            try
            {
                response = overTcp
                    ? await AskOverTcpAsync(upstream, query, id, attempt.Token).ConfigureAwait(false)
                    : await AskOverUdpAsync(upstream, query, id, attempt.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                continue; // this upstream timed out: try the next
            }
            catch (SocketException)
            {
                continue; // refused or unreachable: try the next
            }
            catch (IOException)
            {
                continue;
            }
            if (response is null)
            {
                continue;
            }
            // A server failure or refusal from one upstream is worth a second opinion; keep it in
            // case no other upstream does better.
            var code = (DnsResponseCode)(response[3] & 0xF);
            if (code is DnsResponseCode.ServerFailure or DnsResponseCode.Refused)
            {
                fallback ??= response;
                continue;
            }
            return response;
        }
        return fallback;
    }

    private static async Task<byte[]?> AskOverUdpAsync(IPEndPoint upstream, ReadOnlyMemory<byte> query, ushort id, CancellationToken cancellationToken)
    {
        using var socket = new Socket(upstream.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(upstream, cancellationToken).ConfigureAwait(false);
        await socket.SendAsync(query, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        var buffer = new byte[DnsWire.TcpLimit];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            // Anything that is not a response to this id is noise (or a spoofing attempt): keep waiting.
            if (received >= DnsWire.HeaderLength && BinaryPrimitives.ReadUInt16BigEndian(buffer) == id && (buffer[2] & 0x80) != 0)
            {
                return buffer[..received];
            }
        }
    }

    private static async Task<byte[]?> AskOverTcpAsync(IPEndPoint upstream, ReadOnlyMemory<byte> query, ushort id, CancellationToken cancellationToken)
    {
        using var socket = new Socket(upstream.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(upstream, cancellationToken).ConfigureAwait(false);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await DnsTcpFraming.WriteAsync(stream, query, cancellationToken).ConfigureAwait(false);
        var response = await DnsTcpFraming.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
        return response is not null && response.Length >= DnsWire.HeaderLength && BinaryPrimitives.ReadUInt16BigEndian(response) == id
            ? response
            : null;
    }
}
