using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Engine.IntegrationTests.Networking;

/// <summary>An engine killed with SIGKILL and started again keeps networks, addresses and published ports, and duplicates nothing.</summary>
public sealed class NetworkRestartTests
{
    [RequiresRootFact]
    public void NetworksAddressesAndPortsSurviveAnEngineCrash()
    {
        using var engine = new EngineProcess();
        engine.Start();
        engine.DockerOk("load -i " + TestEnvironment.Image("busybox-docker.tar"));
        engine.DockerOk("network create --subnet 10.214.0.0/24 net-r");
        var port = NetworkingTests.FreePort();
        engine.DockerOk($"run -d --name web-r --network net-r -p 127.0.0.1:{port}:80 busybox sh -c 'mkdir -p /www && echo survived > /www/index.html && exec httpd -f -p 80 -h /www'");
        var address = engine.DockerOk("inspect -f '{{(index .NetworkSettings.Networks \"net-r\").IPAddress}}' web-r").Trim();
        Assert.Equal("survived\n", NetworkingTests.Get($"http://127.0.0.1:{port}/"));
        var networksBefore = engine.DockerOk("network ls --format '{{.ID}} {{.Name}} {{.Driver}}'");
        var rulesBefore = HostNetworkCleanup.Rules(engine.NetworkPrefix);

        engine.Kill();
        engine.Start();

        Assert.Equal(networksBefore, engine.DockerOk("network ls --format '{{.ID}} {{.Name}} {{.Driver}}'"));
        Assert.Equal(address, engine.DockerOk("inspect -f '{{(index .NetworkSettings.Networks \"net-r\").IPAddress}}' web-r").Trim());
        Assert.Equal("survived\n", NetworkingTests.Get($"http://127.0.0.1:{port}/"));
        Assert.Equal(rulesBefore.Order(StringComparer.Ordinal), HostNetworkCleanup.Rules(engine.NetworkPrefix).Order(StringComparer.Ordinal));
        // The address stays taken: a new container gets another one.
        var other = engine.DockerOk("run --rm --network net-r busybox ip -o -4 addr show eth0");
        Assert.DoesNotContain(address + "/", other, StringComparison.Ordinal);
        Assert.Contains("survived", engine.DockerOk($"run --rm --network net-r busybox sh -c '{NetworkingTests.Fetch(address)}'"), StringComparison.Ordinal);
    }
}
