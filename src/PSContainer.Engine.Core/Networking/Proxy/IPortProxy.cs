using System.Net;
using System.Net.Sockets;

namespace PSContainer.Engine.Core.Networking.Proxy;

/// <summary>
/// A published port served in userland: traffic to <see cref="HostEndPoint"/> is relayed to
/// <see cref="Target"/> (a container address). Holding it also holds the host port: nobody else can
/// bind it until the proxy is disposed. Disposing stops accepting and closes every relayed flow.
/// </summary>
public interface IPortProxy : IAsyncDisposable
{
    ProtocolType Protocol { get; }

    /// <summary>The bound host address and port (the real port when 0 was asked for).</summary>
    IPEndPoint HostEndPoint { get; }

    IPEndPoint Target { get; }
}

/// <summary>Tunables of the proxy; the defaults are docker-proxy's.</summary>
public sealed record UserlandProxyOptions
{
    /// <summary>A UDP flow (one client address) is forgotten after this long without traffic either way.</summary>
    public TimeSpan UdpIdleTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>At most this many UDP clients at once; datagrams from further clients are dropped.</summary>
    public int MaxUdpFlows { get; init; } = 1024;

    /// <summary>How long a TCP connection to the container may take before the client is reset.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Bytes read from one side before they are written to the other.</summary>
    public int BufferSize { get; init; } = 64 * 1024;
}

/// <summary>The host port is taken, by another container or another program: Docker's wording.</summary>
public sealed class PortAllocatedException(IPEndPoint host, ProtocolType protocol, Exception inner)
    : IOException($"Bind for {host} failed: port is already allocated", inner)
{
    public IPEndPoint Host { get; } = host;

    public ProtocolType Protocol { get; } = protocol;
}
