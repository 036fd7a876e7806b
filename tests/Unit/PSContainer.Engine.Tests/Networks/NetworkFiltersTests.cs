using PSContainer.Api;
using PSContainer.Engine.Daemon.Networks;
using PSContainer.Engine.Errors;
using Xunit;

namespace PSContainer.Engine.Tests.Networks;

public sealed class NetworkFiltersTests
{
    private static readonly NetworkRecord Bridge = new() { Id = "aaa111", Name = "bridge", Driver = "bridge", Predefined = true };
    private static readonly NetworkRecord App = new() { Id = "bbb222", Name = "my-app", Driver = "bridge", Labels = new() { ["team"] = "x", ["tier"] = "web" } };

    private static NetworkFilters F(params (string Key, string Value)[] filters) =>
        new(filters.GroupBy(f => f.Key).ToDictionary(g => g.Key, g => g.Select(f => f.Value).ToList()));

    [Fact]
    public void Name_is_a_substring_match_and_id_a_prefix_match()
    {
        Assert.True(F(("name", "app")).Matches(App, false));
        Assert.False(F(("name", "app")).Matches(Bridge, false));
        Assert.True(F(("id", "bbb")).Matches(App, false));
        Assert.False(F(("id", "222")).Matches(App, false));
    }

    [Fact]
    public void Labels_match_by_key_or_key_and_value_and_all_must_match()
    {
        Assert.True(F(("label", "team")).Matches(App, false));
        Assert.True(F(("label", "team=x"), ("label", "tier=web")).Matches(App, false));
        Assert.False(F(("label", "team=x"), ("label", "tier=db")).Matches(App, false));
    }

    [Fact]
    public void Type_tells_builtin_from_custom()
    {
        Assert.True(F(("type", "builtin")).Matches(Bridge, false));
        Assert.False(F(("type", "builtin")).Matches(App, false));
        Assert.True(F(("type", "custom")).Matches(App, false));
    }

    [Fact]
    public void Dangling_means_a_custom_network_without_containers()
    {
        Assert.True(F(("dangling", "true")).Matches(App, hasContainers: false));
        Assert.False(F(("dangling", "true")).Matches(App, hasContainers: true));
        Assert.False(F(("dangling", "true")).Matches(Bridge, hasContainers: false));
        Assert.True(F(("dangling", "false")).Matches(Bridge, hasContainers: false));
    }

    [Theory]
    [InlineData("colour", "red")]
    [InlineData("type", "special")]
    [InlineData("dangling", "maybe")]
    public void Unknown_filters_and_values_are_bad_parameters(string key, string value)
    {
        var e = Assert.Throws<EngineException>(() => F((key, value)));
        Assert.Equal(EngineErrorKind.InvalidParameter, e.Kind);
    }
}

public sealed class NetworkNamingTests
{
    [Fact]
    public void Names_fit_the_kernel_limit_and_carry_the_prefix()
    {
        var naming = new NetworkNaming("psc");
        var id = NetworkNaming.NewId();
        Assert.Equal("psc0", naming.DefaultBridge);
        Assert.Equal("psc-" + id[..11], naming.UserBridge(id));
        Assert.Equal(15, naming.UserBridge(id).Length);
        var veth = naming.NewHostVeth();
        Assert.Equal(15, veth.Length);
        Assert.StartsWith("pscv", veth, StringComparison.Ordinal);
        Assert.True(naming.Owns(veth));
        Assert.True(naming.Owns(naming.UserBridge(id)));
        Assert.False(naming.Owns("docker0"));
        Assert.NotEqual(naming.NewHostVeth(), naming.NewHostVeth());
    }

    [Theory]
    [InlineData("")]
    [InlineData("PSC")]
    [InlineData("1abc")]
    [InlineData("toolongprefix")]
    [InlineData("a-b")]
    public void Bad_prefixes_are_refused(string prefix)
    {
        Assert.Throws<ArgumentException>(() => new NetworkNaming(prefix));
    }
}

public sealed class PortRequestsTests
{
    [Fact]
    public void Bindings_and_publish_all_become_requests()
    {
        var host = new HostConfig
        {
            PortBindings = new()
            {
                ["80/tcp"] = [new PortBinding { HostIp = "127.0.0.1", HostPort = "8080" }],
                ["53/udp"] = null,
            },
            PublishAllPorts = true,
        };
        var requests = NetworkService.PortRequests(host, ["80/tcp", "443/tcp", "53/udp"]);

        Assert.Equal(3, requests.Count);
        Assert.Contains(requests, r => r is { ContainerPort: 80, Protocol: "tcp", HostPortFirst: 8080 } && r.HostIp.ToString() == "127.0.0.1");
        Assert.Contains(requests, r => r is { ContainerPort: 53, Protocol: "udp", HostPortFirst: 0 });
        Assert.Contains(requests, r => r is { ContainerPort: 443, Protocol: "tcp", IsEphemeral: true });
    }

    [Fact]
    public void Without_publish_all_exposed_ports_stay_private()
    {
        Assert.Empty(NetworkService.PortRequests(new HostConfig(), ["80/tcp"]));
    }

    [Fact]
    public void A_bad_binding_is_a_bad_parameter()
    {
        var host = new HostConfig { PortBindings = new() { ["80/tcp"] = [new PortBinding { HostPort = "99999" }] } };
        var e = Assert.Throws<EngineException>(() => NetworkService.PortRequests(host, []));
        Assert.Equal(EngineErrorKind.InvalidParameter, e.Kind);
        Assert.Contains("99999", e.Message, StringComparison.Ordinal);
    }
}
