using System.Net;
using PSContainer.Engine.Core.Networking.Bridge;
using PSContainer.Engine.Core.Networking.Ports;
using Xunit;

namespace PSContainer.Engine.Core.Tests.Networking;

public sealed class PortRequestTests
{
    [Fact]
    public void Full_spec_with_host_address()
    {
        var request = Assert.Single(PortRequest.ParseSpec("127.0.0.1:8080:80/udp"));
        Assert.Equal(new PortRequest("udp", IPAddress.Loopback, 8080, 8080, 80), request);
    }

    [Fact]
    public void Container_port_only_means_any_host_port_on_every_address()
    {
        var request = Assert.Single(PortRequest.ParseSpec("80"));
        Assert.Equal(new PortRequest("tcp", IPAddress.Any, 0, 0, 80), request);
        Assert.True(request.IsEphemeral);
    }

    [Fact]
    public void Empty_host_port_with_address_is_ephemeral()
    {
        Assert.Equal(new PortRequest("tcp", IPAddress.Loopback, 0, 0, 80), Assert.Single(PortRequest.ParseSpec("127.0.0.1::80")));
    }

    [Fact]
    public void Equal_ranges_pair_up()
    {
        var requests = PortRequest.ParseSpec("8000-8002:80-82");
        Assert.Equal([(8000, 80), (8001, 81), (8002, 82)], requests.Select(r => (r.HostPortFirst, r.ContainerPort)));
        Assert.All(requests, r => Assert.Equal(r.HostPortFirst, r.HostPortLast));
    }

    [Fact]
    public void Host_range_for_one_container_port_means_one_of_them()
    {
        var request = Assert.Single(PortRequest.ParseSpec("8000-8010:80"));
        Assert.Equal((8000, 8010), (request.HostPortFirst, request.HostPortLast));
    }

    [Theory]
    [InlineData("8000-8001:80-82", "invalid ranges")]
    [InlineData("80/icmp", "invalid proto")]
    [InlineData("70000", "invalid port")]
    [InlineData("0", "invalid port")]
    [InlineData("9-8:80", "below the start")]
    [InlineData("300.1.1.1:80:80", "invalid IPv4 address")]
    public void Bad_specs_name_the_problem(string spec, string why)
    {
        var e = Assert.Throws<FormatException>(() => PortRequest.ParseSpec(spec));
        Assert.Contains(why, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("80/tcp", null, null, "tcp", "0.0.0.0", 0, 0, 80)]
    [InlineData("53/udp", "", "0", "udp", "0.0.0.0", 0, 0, 53)]
    [InlineData("80", "127.0.0.1", "8080", "tcp", "127.0.0.1", 8080, 8080, 80)]
    [InlineData("80/tcp", "", "9000-9005", "tcp", "0.0.0.0", 9000, 9005, 80)]
    public void Api_bindings(string key, string? hostIp, string? hostPort, string protocol, string ip, int first, int last, int containerPort)
    {
        Assert.Equal(new PortRequest(protocol, IPAddress.Parse(ip), first, last, containerPort), PortRequest.FromBinding(key, hostIp, hostPort));
    }

    [Fact]
    public void Mac_addresses_follow_the_ip_like_docker()
    {
        var mac = MacAddresses.FromIPv4(IPAddress.Parse("172.18.0.2"));
        Assert.Equal("02:42:ac:12:00:02", MacAddresses.Format(mac));
        Assert.Equal(mac, MacAddresses.Parse("02:42:ac:12:00:02"));
        Assert.Throws<FormatException>(() => MacAddresses.Parse("02:42:zz:12:00:02"));
    }
}
