using System.Net;
using System.Net.Sockets;
using PSContainer.Engine.Core.Networking.Proxy;

namespace PSContainer.Engine.Core.Networking.Ports;

/// <summary>
/// Publishes ports through the userland proxy (Core/Networking/Proxy): the proxy holds the host
/// port and relays what NAT cannot deliver (connections to 127.0.0.1). Bind failures come out as
/// the <see cref="SocketException"/> that caused them, as <see cref="IPortPublisher"/> promises.
/// </summary>
public sealed class ProxyPortPublisher(UserlandProxyOptions? options = null) : IPortPublisher
{
    public IPublishedPort Publish(string protocol, IPEndPoint host, IPEndPoint container)
    {
        var type = protocol switch
        {
            "tcp" => ProtocolType.Tcp,
            "udp" => ProtocolType.Udp,
            _ => throw new ArgumentException($"cannot publish {protocol} ports: only tcp and udp", nameof(protocol)),
        };
        try
        {
            return new Published(UserlandProxy.Start(type, host, container, options));
        }
        catch (IOException e) when (e.InnerException is SocketException socket)
        {
            throw socket;
        }
    }

    private sealed class Published(IPortProxy proxy) : IPublishedPort
    {
        public IPEndPoint HostEndPoint => proxy.HostEndPoint;

        public void Dispose() => proxy.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
