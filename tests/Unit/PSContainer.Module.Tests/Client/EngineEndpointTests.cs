using PSContainer.Module.Client;
using Xunit;

namespace PSContainer.Module.Tests.Client;

public class EngineEndpointTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] values) =>
        name => values.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void Resolve_Prefers_The_Parameter_Then_PSContainerHost_Then_DockerHost_Then_The_Default()
    {
        var all = Env(("PSCONTAINER_HOST", "unix:///a.sock"), ("DOCKER_HOST", "unix:///b.sock"));
        Assert.Equal("/p.sock", EngineEndpoint.Resolve("unix:///p.sock", all).Address);
        Assert.Equal("/a.sock", EngineEndpoint.Resolve(null, all).Address);
        Assert.Equal("$env:PSCONTAINER_HOST", EngineEndpoint.Resolve(null, all).Source);
        Assert.Equal("/b.sock", EngineEndpoint.Resolve(" ", Env(("DOCKER_HOST", "unix:///b.sock"))).Address);
        var fallback = EngineEndpoint.Resolve(null, Env());
        Assert.Equal(EngineEndpoint.DefaultSocket, fallback.Address);
        Assert.Equal("unix:///run/pscontainer/engine.sock", fallback.ToString());
    }

    [Theory]
    [InlineData("unix:///run/x.sock", EngineTransport.Unix, "/run/x.sock")]
    [InlineData("/run/x.sock", EngineTransport.Unix, "/run/x.sock")]
    [InlineData("tcp://127.0.0.1:2375", EngineTransport.Tcp, "127.0.0.1:2375")]
    [InlineData("http://localhost:2375/", EngineTransport.Tcp, "localhost:2375")]
    [InlineData("TCP://[::1]:2375", EngineTransport.Tcp, "[::1]:2375")]
    public void Parse_Accepts_Docker_Host_Forms(string text, EngineTransport transport, string address)
    {
        var endpoint = EngineEndpoint.Parse(text);
        Assert.Equal(transport, endpoint.Transport);
        Assert.Equal(address, endpoint.Address);
    }

    [Theory]
    [InlineData("npipe:////./pipe/docker_engine", "unsupported scheme 'npipe'")]
    [InlineData("unix://relative.sock", "absolute socket path")]
    [InlineData("tcp://host", "port between 1 and 65535")]
    [InlineData("tcp://host:0", "port between 1 and 65535")]
    [InlineData("engine.sock", "is not valid")]
    public void Parse_Rejects_Bad_Addresses_Naming_The_Value_And_Its_Source(string text, string why)
    {
        var error = Assert.Throws<ArgumentException>(() => EngineEndpoint.Resolve(null, Env(("DOCKER_HOST", text))));
        Assert.Contains(text, error.Message, StringComparison.Ordinal);
        Assert.Contains("$env:DOCKER_HOST", error.Message, StringComparison.Ordinal);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
    }
}
