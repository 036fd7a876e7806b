using System.Net;
using System.Net.Sockets;

namespace PSContainer.Module.Client;

/// <summary>Opens a stream socket to an endpoint: a Unix socket path or a TCP host:port.</summary>
public static class UnixSocketConnector
{
    public static async ValueTask<Socket> ConnectAsync(EngineEndpoint endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        Socket socket;
        EndPoint remote;
        if (endpoint.Transport == EngineTransport.Unix)
        {
            socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            remote = new UnixDomainSocketEndPoint(endpoint.Address);
        }
        else
        {
            var colon = endpoint.Address.LastIndexOf(':');
            var host = endpoint.Address[..colon].Trim('[', ']');
            var port = int.Parse(endpoint.Address[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            remote = IPAddress.TryParse(host, out var ip) ? new IPEndPoint(ip, port) : new DnsEndPoint(host, port);
        }
        try
        {
            await socket.ConnectAsync(remote, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
