using System.Net;
using System.Net.Sockets;

namespace PSContainer.Engine.Core.Networking.Proxy;

/// <summary>
/// The engine's equivalent of docker-proxy, inside the engine process: one listening socket per
/// published port, relayed with async I/O, so a published port costs no process (docker-proxy is a
/// process per port and protocol). NAT rules cannot rewrite traffic a host sends to its own
/// loopback without route_localnet, so connections to 127.0.0.1:PORT reach the container through here.
/// </summary>
public static class UserlandProxy
{
    /// <summary>Binds <paramref name="host"/> and starts relaying to <paramref name="target"/>.</summary>
    /// <exception cref="PortAllocatedException">The host port is already in use.</exception>
    /// <exception cref="IOException">Any other bind failure, naming the address.</exception>
    public static IPortProxy Start(ProtocolType protocol, IPEndPoint host, IPEndPoint target, UserlandProxyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(target);
        options ??= new UserlandProxyOptions();
        return protocol switch
        {
            ProtocolType.Tcp => new TcpPortProxy(Bind(SocketType.Stream, protocol, host), target, options),
            ProtocolType.Udp => new UdpPortProxy(Bind(SocketType.Dgram, protocol, host), target, options),
            _ => throw new ArgumentException($"cannot publish {protocol} ports: only tcp and udp", nameof(protocol)),
        };
    }

    private static Socket Bind(SocketType type, ProtocolType protocol, IPEndPoint host)
    {
        var socket = new Socket(host.AddressFamily, type, protocol);
        try
        {
            if (host.AddressFamily == AddressFamily.InterNetworkV6)
            {
                // [::]:P publishes IPv6 only; 0.0.0.0:P is a proxy of its own, as in Docker.
                socket.DualMode = false;
            }
            if (type == SocketType.Stream)
            {
                // Lets a restarted engine bind again while old connections sit in TIME_WAIT.
                SetReuseAddressOnly(socket);
            }
            socket.Bind(host);
            if (type == SocketType.Stream)
            {
                socket.Listen(512);
            }
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            var shown = new IPEndPoint(host.Address, host.Port);
            throw e.SocketErrorCode == SocketError.AddressAlreadyInUse
                ? new PortAllocatedException(shown, protocol, e)
                : new IOException($"Bind for {shown} failed: {e.Message}", e);
        }
    }

    /// <summary>
    /// SO_REUSEADDR alone. On Linux it never lets two listeners share a port. .NET's
    /// SocketOptionName.ReuseAddress is not usable here: on Unix it also sets SO_REUSEPORT, which
    /// would let a second proxy bind a published port and steal half its connections.
    /// </summary>
    internal static void SetReuseAddressOnly(Socket socket)
    {
        const int SolSocket = 1, SoReuseAddr = 2; // asm-generic/socket.h
        socket.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
    }
}
