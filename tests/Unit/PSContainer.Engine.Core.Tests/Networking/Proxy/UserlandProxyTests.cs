using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using PSContainer.Engine.Core.Networking.Proxy;
using Xunit;

namespace PSContainer.Engine.Core.Tests.Networking.Proxy;

/// <summary>The userland proxy between loopback endpoints: 127.0.0.1:ephemeral → a loopback "container".</summary>
public sealed class UserlandProxyTests
{
    private static readonly IPEndPoint AnyLoopbackPort = new(IPAddress.Loopback, 0);

    private static async Task<Socket> ConnectAsync(IPEndPoint endpoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endpoint);
        return socket;
    }

    private static async Task<byte[]> ReadToEndAsync(Socket socket)
    {
        using var all = new MemoryStream();
        var buffer = new byte[65536];
        int read;
        while ((read = await socket.ReceiveAsync(buffer)) > 0)
        {
            all.Write(buffer, 0, read);
        }
        return all.ToArray();
    }

    /// <summary>Waits for a condition the proxy reaches asynchronously (no timing is asserted).</summary>
    private static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        for (var i = 0; i < 1000 && !condition(); i++)
        {
            await Task.Delay(10);
        }
        Assert.True(condition(), what);
    }

    [Fact]
    public async Task TcpRelaysAMegabytesStreamBothWaysWithHalfClose()
    {
        await using var echo = LoopbackTcpServer.Echo();
        await using var proxy = UserlandProxy.Start(ProtocolType.Tcp, AnyLoopbackPort, echo.EndPoint);
        Assert.NotEqual(0, proxy.HostEndPoint.Port);
        Assert.Equal(echo.EndPoint, proxy.Target);

        var payload = RandomNumberGenerator.GetBytes(4 * 1024 * 1024 + 17);
        using var client = await ConnectAsync(proxy.HostEndPoint);
        var reading = ReadToEndAsync(client);
        await client.SendAsync(payload);
        // Our end of stream must reach the echo server through the proxy, or it never finishes
        // and never closes its side: the read below would hang.
        client.Shutdown(SocketShutdown.Send);

        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(await reading));
    }

    [Fact]
    public async Task TheServerCanCloseItsSideAndStillHear()
    {
        var heard = new TaskCompletionSource<string>();
        await using var server = new LoopbackTcpServer(async socket =>
        {
            await socket.SendAsync("bye"u8.ToArray());
            socket.Shutdown(SocketShutdown.Send);
            heard.SetResult(Encoding.ASCII.GetString(await ReadToEndAsync(socket)));
        });
        await using var proxy = UserlandProxy.Start(ProtocolType.Tcp, AnyLoopbackPort, server.EndPoint);

        using var client = await ConnectAsync(proxy.HostEndPoint);
        Assert.Equal("bye", Encoding.ASCII.GetString(await ReadToEndAsync(client)));
        await client.SendAsync("still here"u8.ToArray());
        client.Shutdown(SocketShutdown.Send);
        Assert.Equal("still here", await heard.Task);
    }

    [Fact]
    public async Task ManyConnectionsAtOnceStayApart()
    {
        await using var echo = LoopbackTcpServer.Echo();
        await using var proxy = UserlandProxy.Start(ProtocolType.Tcp, AnyLoopbackPort, echo.EndPoint);
        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(async i =>
        {
            using var client = await ConnectAsync(proxy.HostEndPoint);
            var message = Encoding.ASCII.GetBytes($"connection {i}");
            await client.SendAsync(message);
            client.Shutdown(SocketShutdown.Send);
            return Encoding.ASCII.GetString(await ReadToEndAsync(client));
        }));
        Assert.Equal(Enumerable.Range(0, 32).Select(i => $"connection {i}"), results);
        await EventuallyAsync(() => ((TcpPortProxy)proxy).ActiveConnections == 0, "finished connections are forgotten");
    }

    [Fact]
    public async Task AClosedContainerPortEndsTheClientsConnection()
    {
        int closedPort;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(AnyLoopbackPort);
            closedPort = ((IPEndPoint)probe.LocalEndPoint!).Port; // bound, never listening: connect is refused
            await using var proxy = UserlandProxy.Start(ProtocolType.Tcp, AnyLoopbackPort, new IPEndPoint(IPAddress.Loopback, closedPort));
            // The proxy accepts, fails to reach the container and resets the client: the reset can
            // arrive while our connect completes or on the first read; an end of stream is also fine.
            try
            {
                using var client = await ConnectAsync(proxy.HostEndPoint);
                Assert.Equal(0, await client.ReceiveAsync(new byte[16]));
            }
            catch (SocketException e)
            {
                Assert.Equal(SocketError.ConnectionReset, e.SocketErrorCode);
            }
        }
    }

    [Theory]
    [InlineData(ProtocolType.Tcp)]
    [InlineData(ProtocolType.Udp)]
    public async Task ABusyPortIsDockersError(ProtocolType protocol)
    {
        await using var first = UserlandProxy.Start(protocol, AnyLoopbackPort, new IPEndPoint(IPAddress.Loopback, 9));
        var error = Assert.Throws<PortAllocatedException>(() =>
            UserlandProxy.Start(protocol, first.HostEndPoint, new IPEndPoint(IPAddress.Loopback, 9)));
        Assert.Equal($"Bind for 127.0.0.1:{first.HostEndPoint.Port} failed: port is already allocated", error.Message);
        Assert.Equal(protocol, error.Protocol);
    }

    [Fact]
    public void APortHeldByAnotherProgramIsBusyToo()
    {
        using var other = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        other.Bind(AnyLoopbackPort);
        other.Listen();
        var error = Assert.Throws<PortAllocatedException>(() =>
            UserlandProxy.Start(ProtocolType.Tcp, (IPEndPoint)other.LocalEndPoint!, new IPEndPoint(IPAddress.Loopback, 9)));
        Assert.Contains("port is already allocated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnAddressNotOnTheHostIsAClearError()
    {
        var error = Assert.Throws<IOException>(() =>
            UserlandProxy.Start(ProtocolType.Tcp, new IPEndPoint(IPAddress.Parse("192.0.2.123"), 8080), new IPEndPoint(IPAddress.Loopback, 9)));
        Assert.StartsWith("Bind for 192.0.2.123:8080 failed:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OnlyTcpAndUdp() =>
        Assert.Throws<ArgumentException>(() => UserlandProxy.Start(ProtocolType.IcmpV6, AnyLoopbackPort, AnyLoopbackPort));

    [Fact]
    public async Task DisposingFreesThePortAndCutsOpenConnections()
    {
        await using var echo = LoopbackTcpServer.Echo();
        var proxy = UserlandProxy.Start(ProtocolType.Tcp, AnyLoopbackPort, echo.EndPoint);
        var port = proxy.HostEndPoint;
        using var client = await ConnectAsync(port);
        await client.SendAsync("x"u8.ToArray());
        var one = new byte[1];
        Assert.Equal(1, await client.ReceiveAsync(one));

        await proxy.DisposeAsync();

        try
        {
            Assert.Equal(0, await client.ReceiveAsync(one));
        }
        catch (SocketException e)
        {
            Assert.Equal(SocketError.ConnectionReset, e.SocketErrorCode);
        }
        await using var again = UserlandProxy.Start(ProtocolType.Tcp, port, echo.EndPoint);
        Assert.Equal(port, again.HostEndPoint);
    }

    [Fact]
    public async Task UdpKeepsAFlowPerClientAndForgetsIdleOnes()
    {
        await using var echo = new LoopbackUdpEcho();
        await using var proxy = UserlandProxy.Start(ProtocolType.Udp, AnyLoopbackPort, echo.EndPoint,
            new UserlandProxyOptions { UdpIdleTimeout = TimeSpan.FromSeconds(1) }); // long enough that a loaded machine does not expire a flow mid-test

        using var a = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var b = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        a.Connect(proxy.HostEndPoint);
        b.Connect(proxy.HostEndPoint);
        var buffer = new byte[100];
        for (var round = 0; round < 3; round++)
        {
            await a.SendAsync(Encoding.ASCII.GetBytes($"a{round}"));
            await b.SendAsync(Encoding.ASCII.GetBytes($"b{round}"));
            Assert.Equal($"echo:a{round}", Encoding.ASCII.GetString(buffer, 0, await a.ReceiveAsync(buffer)));
            Assert.Equal($"echo:b{round}", Encoding.ASCII.GetString(buffer, 0, await b.ReceiveAsync(buffer)));
        }
        var udp = (UdpPortProxy)proxy;
        Assert.Equal(2, udp.ActiveFlows);

        await EventuallyAsync(() => udp.ActiveFlows == 0, "idle flows are closed");
        await a.SendAsync("again"u8.ToArray());
        Assert.Equal("echo:again", Encoding.ASCII.GetString(buffer, 0, await a.ReceiveAsync(buffer)));
        Assert.Equal(1, udp.ActiveFlows);
    }

    [Fact]
    public async Task UdpDropsClientsBeyondTheFlowLimit()
    {
        await using var echo = new LoopbackUdpEcho();
        await using var proxy = UserlandProxy.Start(ProtocolType.Udp, AnyLoopbackPort, echo.EndPoint, new UserlandProxyOptions { MaxUdpFlows = 1 });
        using var first = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var second = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        first.Connect(proxy.HostEndPoint);
        second.Connect(proxy.HostEndPoint);
        var buffer = new byte[100];
        await first.SendAsync("1"u8.ToArray());
        Assert.Equal("echo:1", Encoding.ASCII.GetString(buffer, 0, await first.ReceiveAsync(buffer)));
        await second.SendAsync("2"u8.ToArray());
        // The second client is dropped; the first still works, and is answered, not the second.
        await first.SendAsync("3"u8.ToArray());
        Assert.Equal("echo:3", Encoding.ASCII.GetString(buffer, 0, await first.ReceiveAsync(buffer)));
        Assert.Equal(1, ((UdpPortProxy)proxy).ActiveFlows);
        Assert.Equal(0, second.Available);
    }

    [Fact]
    public async Task AUdpFlowOutlivesAContainerThatWasNotListeningYet()
    {
        // The target port is free at first: the first datagram draws an ICMP port unreachable,
        // which the flow's socket reports as ECONNREFUSED. The flow must stay usable.
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            probe.Bind(AnyLoopbackPort);
            port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }
        await using var proxy = UserlandProxy.Start(ProtocolType.Udp, AnyLoopbackPort, new IPEndPoint(IPAddress.Loopback, port));
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Connect(proxy.HostEndPoint);
        await client.SendAsync("lost"u8.ToArray());
        await EventuallyAsync(() => ((UdpPortProxy)proxy).ActiveFlows == 1, "the first datagram made a flow");

        using var late = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        late.Bind(new IPEndPoint(IPAddress.Loopback, port));
        var buffer = new byte[100];
        var heard = late.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0));
        // Datagrams may be lost while the container's socket appears; send until one arrives.
        for (var i = 0; i < 100 && !heard.IsCompleted; i++)
        {
            await client.SendAsync("found"u8.ToArray());
            await Task.WhenAny(heard, Task.Delay(50));
        }
        var received = await heard;
        Assert.Equal("found", Encoding.ASCII.GetString(buffer, 0, received.ReceivedBytes));

        await late.SendToAsync("reply"u8.ToArray(), SocketFlags.None, received.RemoteEndPoint);
        var reply = new byte[100];
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30)); // a lost flow fails, it does not hang
        Assert.Equal("reply", Encoding.ASCII.GetString(reply, 0, await client.ReceiveAsync(reply, SocketFlags.None, patience.Token)));
        Assert.Equal(1, ((UdpPortProxy)proxy).ActiveFlows);
    }
}
