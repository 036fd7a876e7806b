using System.Net;
using PSContainer.Api;
using PSContainer.Engine.Daemon.Containers;
using Xunit;

namespace PSContainer.Engine.Tests.Networks;

public sealed class EtcFilesNetworkTests
{
    [Fact]
    public void Hosts_lists_the_containers_own_address_with_its_hostname()
    {
        var text = EtcFiles.Hosts(new HostConfig { ExtraHosts = ["db:10.0.0.5"] }, [IPAddress.Parse("172.18.0.2")], "web");
        Assert.StartsWith("127.0.0.1\tlocalhost\n", text, StringComparison.Ordinal);
        Assert.Contains("\n10.0.0.5\tdb\n", text, StringComparison.Ordinal);
        Assert.EndsWith("\n172.18.0.2\tweb\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void User_networks_resolve_through_the_embedded_server()
    {
        var text = EtcFiles.EmbeddedResolvConf("nameserver 127.0.0.53\nsearch corp.example\noptions edns0\n", new HostConfig());
        Assert.Equal("nameserver 127.0.0.11\nsearch corp.example\noptions ndots:0\n", text);
    }

    [Fact]
    public void Dns_search_and_options_override_on_user_networks()
    {
        var text = EtcFiles.EmbeddedResolvConf("search corp.example\n", new HostConfig { DnsSearch = ["a.test", "b.test"], DnsOptions = ["ndots:2"] });
        Assert.Equal("nameserver 127.0.0.11\nsearch a.test b.test\noptions ndots:2\n", text);
    }
}

public sealed class NetworkRecordsPersistenceTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("psc-netrec-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Container_networking_round_trips_through_the_metadata_store()
    {
        var store = new PSContainer.Engine.Core.Metadata.MetadataStore(_root)
            .Collection("container-networks", PSContainer.Engine.Daemon.Networks.NetworksJsonContext.Default.ContainerNetworkingRecord);
        var record = new PSContainer.Engine.Daemon.Networks.ContainerNetworkingRecord
        {
            ContainerId = "c1",
            ContainerName = "web",
            NetnsPath = "/run/pscontainer/netns/c1",
            Attachments =
            [
                new()
                {
                    NetworkId = "n1", Aliases = ["db"], RequestedIPv4 = "10.5.0.9",
                    Endpoint = new() { EndpointId = "e1", Interface = "eth0", HostVeth = "pscv123", IPv4Address = "10.5.0.9", PrefixLength = 16, MacAddress = "02:42:0a:05:00:09", DefaultRoute = true },
                },
            ],
            Ports = [new() { Protocol = "tcp", HostIp = "127.0.0.1", HostPort = 8080, ContainerPort = 80, NetworkId = "n1" }],
        };
        store.Put("c1", record);

        var read = store.Get("c1")!;
        Assert.Equal("/run/pscontainer/netns/c1", read.NetnsPath);
        var endpoint = Assert.Single(read.Attachments).Endpoint!;
        Assert.Equal(("10.5.0.9", 16, "pscv123", true), (endpoint.IPv4Address, endpoint.PrefixLength, endpoint.HostVeth, endpoint.DefaultRoute));
        Assert.Equal(["db"], read.Attachments[0].Aliases);
        Assert.Equal((8080, 80, "127.0.0.1"), (read.Ports[0].HostPort, read.Ports[0].ContainerPort, read.Ports[0].HostIp));
    }
}
