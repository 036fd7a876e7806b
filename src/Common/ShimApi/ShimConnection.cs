using System.Net.Sockets;
using System.Text.Json;

namespace PSContainer.ShimApi;

/// <summary>One connection to a shim socket, after a successful Connect handshake.</summary>
internal sealed class ShimConnection : IAsyncDisposable
{
    private readonly Socket _socket;

    private ShimConnection(Socket socket, NetworkStream stream)
    {
        _socket = socket;
        Stream = stream;
    }

    public NetworkStream Stream { get; }

    public ConnectResult? Hello { get; private set; }

    public static async Task<ShimConnection> OpenAsync(string socketPath, string containerId, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
            var connection = new ShimConnection(socket, new NetworkStream(socket, ownsSocket: true));
            var hello = await connection.SendAsync(new ConnectRequest(containerId, ShimProtocol.Version), cancellationToken).ConfigureAwait(false);
            connection.Hello = hello as ConnectResult ?? throw new ShimProtocolException($"shim at {socketPath} answered Connect with {hello.GetType().Name}");
            return connection;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends a request and reads its response; throws <see cref="ShimException"/> for an error response.</summary>
    public async Task<ShimResult> SendAsync(ShimRequest request, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(request, ShimJsonContext.Default.ShimRequest);
        await ShimProtocol.WriteFrameAsync(Stream, payload, cancellationToken).ConfigureAwait(false);
        var frame = await ShimProtocol.ReadFrameAsync(Stream, cancellationToken).ConfigureAwait(false)
            ?? throw new ShimProtocolException($"shim closed the connection without answering {request.GetType().Name}");
        ShimResponse? response;
        try
        {
            response = JsonSerializer.Deserialize(frame, ShimJsonContext.Default.ShimResponse);
        }
        catch (JsonException e)
        {
            throw new ShimProtocolException($"invalid response to {request.GetType().Name}: {e.Message}");
        }
        if (response?.Error is { } error)
        {
            throw new ShimException(error);
        }
        return response?.Result ?? throw new ShimProtocolException($"response to {request.GetType().Name} has neither result nor error");
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return Stream.DisposeAsync();
    }
}
