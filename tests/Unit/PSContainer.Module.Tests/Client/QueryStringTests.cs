using PSContainer.Module.Client;
using PSContainer.Module.Core;
using Xunit;

namespace PSContainer.Module.Tests.Client;

public class QueryStringTests
{
    [Fact]
    public void Values_Are_Escaped_And_Nulls_Left_Out()
    {
        var query = new QueryString("/containers/create").Add("name", "a b&c").Add("skip", (string?)null).Add("t", 10L).Add("force", true).AddIfTrue("v", false);
        Assert.Equal("/containers/create?name=a%20b%26c&t=10&force=1", query.ToString());
        Assert.Equal("/x", new QueryString("/x").AddFilters(new Dictionary<string, IReadOnlyList<string>> { ["label"] = [] }).ToString());
    }

    [Fact]
    public void Repeated_Names_Are_Kept_For_Lists()
    {
        var query = new QueryString("/images/get").Add("names", "a:1").Add("names", "b");
        Assert.Equal("/images/get?names=a%3A1&names=b", query.ToString());
    }

    [Fact]
    public void Container_Filters_List_Stopped_Containers_Only_When_Needed()
    {
        Assert.False(new ContainerFilter().ListAll);
        Assert.False(new ContainerFilter { States = [ContainerState.Running] }.ListAll);
        Assert.True(new ContainerFilter { States = [ContainerState.Exited] }.ListAll);
        Assert.True(new ContainerFilter { Names = ["web"] }.ListAll);
        Assert.True(new ContainerFilter { All = true }.ListAll);
        Assert.Equal(["running", "paused"], new ContainerFilter { States = [ContainerState.Running, ContainerState.Paused, ContainerState.Running] }.ToApiFilters()["status"]);
    }

    [Theory]
    [InlineData("sha256:4f1e2d3c4b5a6978", "4f1e2d3c4b5a")]
    [InlineData("abc", "abc")]
    public void Short_Ids_Drop_The_Algorithm(string id, string shortId) => Assert.Equal(shortId, PSContainer.Ids.Short(id));
}
