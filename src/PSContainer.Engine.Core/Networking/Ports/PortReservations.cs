using System.Net;
using System.Net.Sockets;

namespace PSContainer.Engine.Core.Networking.Ports;

/// <summary>
/// Holds published host ports without forwarding (the NAT rules do that): a bound, not listening
/// socket keeps every other process, and a second publish, off the port. Used when no userland
/// proxy is configured; loopback connections to such a port are refused.
/// </summary>
public sealed class PortReservations : IPortPublisher
{
    public IPublishedPort Publish(string protocol, IPEndPoint host, IPEndPoint container)
    {
        var socket = protocol == "udp"
            ? new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)
            : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(host);
            return new Reservation(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private sealed class Reservation(Socket socket) : IPublishedPort
    {
        public IPEndPoint HostEndPoint { get; } = (IPEndPoint)socket.LocalEndPoint!;

        public void Dispose() => socket.Dispose();
    }
}
