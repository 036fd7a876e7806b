using System.Net;
using PSContainer.Engine.Core.Networking.Ipam;
using Xunit;

namespace PSContainer.Engine.Core.Tests.Networking;

public sealed class IpamTests
{
    private static Ipv4Subnet S(string text) => Ipv4Subnet.Parse(text);

    [Fact]
    public void Subnets_parse_and_compare()
    {
        var subnet = S("10.5.0.0/16");
        Assert.Equal("10.5.0.0/16", subnet.ToString());
        Assert.True(subnet.Contains(IPAddress.Parse("10.5.255.254")));
        Assert.False(subnet.Contains(IPAddress.Parse("10.6.0.1")));
        Assert.True(subnet.Overlaps(S("10.5.3.0/24")));
        Assert.True(S("10.0.0.0/8").Overlaps(subnet));
        Assert.False(subnet.Overlaps(S("10.6.0.0/16")));
    }

    [Theory]
    [InlineData("10.5.0.1/16", "host part")]
    [InlineData("10.5.0.0", "invalid CIDR")]
    [InlineData("10.5.0.0/33", "invalid CIDR")]
    [InlineData("fe80::/64", "invalid CIDR")]
    public void Bad_subnets_are_refused_with_the_text(string text, string why)
    {
        var e = Assert.Throws<FormatException>(() => Ipv4Subnet.Parse(text));
        Assert.Contains(why, e.Message, StringComparison.Ordinal);
        Assert.Contains(text, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_pool_is_dockers_first_free_one()
    {
        Assert.Equal(S("172.17.0.0/16"), DefaultPools.Choose([], []));
    }

    [Fact]
    public void Default_pool_skips_host_routes_and_other_networks()
    {
        // dockerd's docker0 beside us, and one of our networks.
        var chosen = DefaultPools.Choose([S("172.17.0.0/16"), S("10.0.2.0/24")], [S("172.18.0.0/16")]);
        Assert.Equal(S("172.19.0.0/16"), chosen);
    }

    [Fact]
    public void After_the_172_pools_come_192_168_slash_20s()
    {
        var all172 = Enumerable.Range(17, 15).Select(i => S($"172.{i}.0.0/16")).ToList();
        Assert.Equal(S("192.168.0.0/20"), DefaultPools.Choose(all172, []));
        Assert.Equal(S("192.168.16.0/20"), DefaultPools.Choose([.. all172, S("192.168.0.0/24")], []));
    }

    [Fact]
    public void A_broad_host_route_blocks_every_pool_it_covers()
    {
        var e = Assert.Throws<IpamException>(() => DefaultPools.Choose([S("172.16.0.0/12"), S("192.168.0.0/16")], []));
        Assert.Contains("non-overlapping", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Host_routes_come_from_the_kernel_table_without_the_default_route()
    {
        const string table = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n" +
            "eth0\t00000000\t0102000A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n" +
            "eth0\t0002000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n" +
            "docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n";
        Assert.Equal([S("10.0.2.0/24"), S("172.17.0.0/16")], HostRoutes.Parse(table));
    }

    [Fact]
    public void Addresses_are_given_lowest_first_skipping_network_and_gateway()
    {
        var pool = new AddressPool(S("10.5.0.0/24"), IPAddress.Parse("10.5.0.1"));
        Assert.Equal(IPAddress.Parse("10.5.0.2"), pool.Allocate());
        Assert.Equal(IPAddress.Parse("10.5.0.3"), pool.Allocate());
        Assert.True(pool.Release(IPAddress.Parse("10.5.0.2")));
        Assert.Equal(IPAddress.Parse("10.5.0.2"), pool.Allocate());
        Assert.False(pool.Release(IPAddress.Parse("10.5.0.99")));
    }

    [Fact]
    public void Ip_range_limits_dynamic_addresses_but_not_static_ones()
    {
        var pool = new AddressPool(S("10.5.0.0/16"), IPAddress.Parse("10.5.0.1"), S("10.5.7.0/30"));
        Assert.Equal(IPAddress.Parse("10.5.7.0"), pool.Allocate());
        Assert.Equal(IPAddress.Parse("10.5.0.9"), pool.Allocate(IPAddress.Parse("10.5.0.9")));
        Assert.Equal(IPAddress.Parse("10.5.7.1"), pool.Allocate());
    }

    [Fact]
    public void Static_addresses_must_be_free_and_usable()
    {
        var pool = new AddressPool(S("10.5.0.0/24"), IPAddress.Parse("10.5.0.1"));
        pool.Allocate(IPAddress.Parse("10.5.0.9"));
        Assert.Contains("already in use", Assert.Throws<IpamException>(() => pool.Allocate(IPAddress.Parse("10.5.0.9"))).Message, StringComparison.Ordinal);
        Assert.Contains("gateway", Assert.Throws<IpamException>(() => pool.Allocate(IPAddress.Parse("10.5.0.1"))).Message, StringComparison.Ordinal);
        Assert.Contains("not in subnet", Assert.Throws<IpamException>(() => pool.Allocate(IPAddress.Parse("10.6.0.9"))).Message, StringComparison.Ordinal);
        Assert.Contains("broadcast", Assert.Throws<IpamException>(() => pool.Allocate(IPAddress.Parse("10.5.0.255"))).Message, StringComparison.Ordinal);
        // The dynamic allocator steps over the static one.
        for (var i = 2; i <= 8; i++)
        {
            pool.Allocate();
        }
        Assert.Equal(IPAddress.Parse("10.5.0.10"), pool.Allocate());
    }

    [Fact]
    public void An_exhausted_pool_says_so()
    {
        var pool = new AddressPool(S("10.5.0.0/29"), IPAddress.Parse("10.5.0.1"));
        for (var i = 0; i < 5; i++)
        {
            pool.Allocate(); // .2 … .6
        }
        var e = Assert.Throws<IpamException>(() => pool.Allocate());
        Assert.Contains("no available IPv4 addresses", e.Message, StringComparison.Ordinal);
        Assert.Contains("10.5.0.0/29", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reserving_restores_persisted_allocations()
    {
        var first = new AddressPool(S("10.5.0.0/24"), IPAddress.Parse("10.5.0.1"));
        first.Allocate();
        first.Allocate(IPAddress.Parse("10.5.0.50"));
        var saved = first.Allocated.Select(a => a.ToString()).ToList();

        var restored = new AddressPool(S("10.5.0.0/24"), IPAddress.Parse("10.5.0.1"));
        foreach (var address in saved)
        {
            restored.Reserve(IPAddress.Parse(address));
        }
        Assert.Equal(first.Allocated, restored.Allocated);
        Assert.Equal(IPAddress.Parse("10.5.0.3"), restored.Allocate());
    }

    [Fact]
    public void Pools_refuse_bad_shapes()
    {
        Assert.Throws<IpamException>(() => new AddressPool(S("10.5.0.0/31"), IPAddress.Parse("10.5.0.1")));
        Assert.Throws<IpamException>(() => new AddressPool(S("10.5.0.0/24"), IPAddress.Parse("10.6.0.1")));
        Assert.Throws<IpamException>(() => new AddressPool(S("10.5.0.0/24"), IPAddress.Parse("10.5.0.1"), S("10.5.1.0/28")));
    }
}
