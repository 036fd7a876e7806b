using PSContainer.Engine.Core.Volumes;
using PSContainer.Engine.Daemon.Volumes;
using PSContainer.Engine.Errors;
using Xunit;

namespace PSContainer.Engine.Tests.Volumes;

public sealed class VolumeFiltersTests
{
    private static VolumeInfo Volume(string name, Dictionary<string, string>? labels = null) =>
        new(new VolumeRecord { Name = name, Labels = labels ?? [] }, "/v/" + name + "/_data");

    private static Dictionary<string, List<string>> F(params (string Key, string Value)[] pairs) =>
        pairs.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Select(p => p.Value).ToList());

    [Fact]
    public void ListFilters()
    {
        var web = Volume("web-data", new() { ["app"] = "web", ["tier"] = "front" });
        var db = Volume("db", new() { ["app"] = "db" });
        Assert.True(VolumeFilters.ForList(F()).Matches(web, inUse: true));
        Assert.True(VolumeFilters.ForList(F(("name", "web"))).Matches(web, false));
        Assert.False(VolumeFilters.ForList(F(("name", "web"))).Matches(db, false));
        Assert.True(VolumeFilters.ForList(F(("name", "^d"))).Matches(db, false)); // a regular expression, as in Docker
        Assert.True(VolumeFilters.ForList(F(("name", "x"), ("name", "db"))).Matches(db, false)); // values of one key: any
        Assert.True(VolumeFilters.ForList(F(("label", "app"))).Matches(db, false));
        Assert.True(VolumeFilters.ForList(F(("label", "app=web"), ("label", "tier"))).Matches(web, false)); // labels: all
        Assert.False(VolumeFilters.ForList(F(("label", "app=web"), ("label", "tier"))).Matches(db, false));
        Assert.True(VolumeFilters.ForList(F(("driver", "local"))).Matches(db, false));
        Assert.False(VolumeFilters.ForList(F(("driver", "nfs"))).Matches(db, false));
        Assert.True(VolumeFilters.ForList(F(("dangling", "true"))).Matches(db, inUse: false));
        Assert.False(VolumeFilters.ForList(F(("dangling", "1"))).Matches(db, inUse: true));
        Assert.True(VolumeFilters.ForList(F(("dangling", "false"))).Matches(db, inUse: true));
    }

    [Fact]
    public void PruneFilters()
    {
        var keep = Volume("keep", new() { ["keep"] = "yes" });
        Assert.False(VolumeFilters.ForPrune(F()).All);
        Assert.True(VolumeFilters.ForPrune(F(("all", "true"))).All);
        Assert.False(VolumeFilters.ForPrune(F(("all", "0"))).All);
        Assert.False(VolumeFilters.ForPrune(F(("label!", "keep"))).Matches(keep, false));
        Assert.True(VolumeFilters.ForPrune(F(("label!", "keep=no"))).Matches(keep, false));
        Assert.True(VolumeFilters.ForPrune(F(("label", "keep=yes"))).Matches(keep, false));
    }

    [Theory]
    [InlineData("color", "x", true, "invalid filter 'color'")]
    [InlineData("dangling", "maybe", true, "invalid filter 'dangling=maybe'")]
    [InlineData("name", "x", false, "invalid filter 'name'")]
    [InlineData("all", "sure", false, "invalid filter 'all=sure'")]
    public void BadFiltersAreBadParameters(string key, string value, bool list, string message)
    {
        var error = Assert.Throws<EngineException>(() => list ? VolumeFilters.ForList(F((key, value))) : VolumeFilters.ForPrune(F((key, value))));
        Assert.Equal((EngineErrorKind.InvalidParameter, message), (error.Kind, error.Message));
    }
}
