using System.Net;

namespace PSContainer.Engine.Core.Networking.Ports;

/// <summary>
/// A host port held for a container. The holder keeps the port bound (that is the reservation that
/// makes a second publish of the same port fail), and a userland proxy also forwards connections
/// arriving on it to the container — needed for 127.0.0.1, which NAT cannot send into a bridge.
/// </summary>
public interface IPublishedPort : IDisposable
{
    /// <summary>The bound host address and port (the real port when 0 was asked for).</summary>
    IPEndPoint HostEndPoint { get; }
}

/// <summary>Binds host ports for published container ports (the seam to the userland proxy component).</summary>
public interface IPortPublisher
{
    /// <summary>
    /// Binds <paramref name="host"/> for <paramref name="protocol"/> and serves it toward
    /// <paramref name="container"/>; port 0 binds a free ephemeral port. Throws
    /// <see cref="System.Net.Sockets.SocketException"/> (AddressAlreadyInUse) when the port is taken.
    /// </summary>
    IPublishedPort Publish(string protocol, IPEndPoint host, IPEndPoint container);
}
