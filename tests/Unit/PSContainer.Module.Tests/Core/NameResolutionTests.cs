using PSContainer.Module.Client;
using PSContainer.Module.Core;
using Xunit;

namespace PSContainer.Module.Tests.Core;

public class NameResolutionTests
{
    private static readonly (string Id, string Name)[] Items =
    [
        ("abc111" + new string('0', 58), "web"),
        ("abc222" + new string('0', 58), "web-2"),
        ("def333" + new string('0', 58), "abc1"),
        ("f00000" + new string('0', 58), "db"),
    ];

    private static (string Id, string Name) One(string value) =>
        NameResolver.ResolveOne(Items, value, i => i.Id, i => [i.Name], EngineErrorKind.ContainerNotFound, "container");

    [Theory]
    [InlineData("web", "web")]
    [InlineData("/web", "web")]
    [InlineData("abc2", "web-2")]
    [InlineData("abc1", "abc1")]
    [InlineData("sha256:f0", "db")]
    public void Exact_Names_Win_Then_Unique_Id_Prefixes(string value, string expected) => Assert.Equal(expected, One(value).Name);

    [Fact]
    public void An_Ambiguous_Prefix_Is_An_Error_Listing_The_Candidates()
    {
        var error = Assert.Throws<EngineException>(() => One("abc"));
        Assert.Equal(EngineErrorKind.AmbiguousName, error.Kind);
        Assert.Contains("abc111000000 (web)", error.Message, StringComparison.Ordinal);
        Assert.Contains("abc222000000 (web-2)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_Match_Is_The_Requested_Not_Found_Kind()
    {
        var error = Assert.Throws<EngineException>(() => One("nginx"));
        Assert.Equal(EngineErrorKind.ContainerNotFound, error.Kind);
        Assert.Contains("'nginx'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wildcards_Match_Names_Only()
    {
        Assert.Equal(["web", "web-2"], NameResolver.Filter(Items, "WEB*", i => i.Id, i => [i.Name]).Select(i => i.Name));
        Assert.Empty(NameResolver.Filter(Items, "f0*", i => i.Id, i => [i.Name]));
    }

    [Theory]
    [InlineData("web", "w?b", true)]
    [InlineData("web", "[a-w]eb", true)]
    [InlineData("web", "[xyz]eb", false)]
    [InlineData("a*b", "a`*b", true)]
    [InlineData("axb", "a`*b", false)]
    [InlineData("web-2", "*-[0-9]", true)]
    [InlineData("web", "*", true)]
    [InlineData("", "*", true)]
    [InlineData("web", "we", false)]
    [InlineData("[web", "[web", true)]
    [InlineData("aaaaaaaaaaaaaaaaaaaaab", "*a*a*a*a*a*c", false)]
    public void Wildcards_Follow_PowerShell(string text, string pattern, bool matches) =>
        Assert.Equal(matches, Wildcard.IsMatch(text, pattern));

    [Theory]
    [InlineData("web", false)]
    [InlineData("web*", true)]
    [InlineData("w`*b", false)]
    [InlineData("w[ab]", true)]
    public void Wildcard_Detection_Honours_Escapes(string text, bool expected) => Assert.Equal(expected, Wildcard.ContainsWildcard(text));

    [Fact]
    public void Image_Matching_Understands_Short_References_Wildcards_And_Ids()
    {
        ContainerImage[] images =
        [
            new() { Id = "sha256:aa11" + new string('0', 60), Repository = "busybox", Tag = "latest" },
            new() { Id = "sha256:aa11" + new string('0', 60), Repository = "busybox", Tag = "1.36" },
            new() { Id = "sha256:bb22" + new string('0', 60), Repository = "localhost:5000/team/app", Tag = "2" },
        ];
        // A repository without a tag lists every tag of it, as docker images busybox does.
        Assert.Equal(["latest", "1.36"], ImageMatcher.Match(images, "busybox").Select(i => i.Tag));
        Assert.Equal(["latest"], ImageMatcher.Match(images, "docker.io/library/busybox:latest").Select(i => i.Tag));
        Assert.Equal(["1.36"], ImageMatcher.Match(images, "busybox:1.36").Select(i => i.Tag));
        Assert.Equal(2, ImageMatcher.Match(images, "busy*").Count);
        Assert.Single(ImageMatcher.Match(images, "localhost:5000/team/app:2"));
        Assert.Single(ImageMatcher.Match(images, "bb22"));
        Assert.Empty(ImageMatcher.Match(images, "nginx"));
    }

    [Theory]
    [InlineData("busybox", "busybox", "latest")]
    [InlineData("busybox:1.36", "busybox", "1.36")]
    [InlineData("localhost:5000/app", "localhost:5000/app", "latest")]
    [InlineData("localhost:5000/app:2", "localhost:5000/app", "2")]
    [InlineData("app@sha256:abcd", "app", "sha256:abcd")]
    public void References_Split_Into_Repository_And_Tag(string reference, string repository, string tag) =>
        Assert.Equal((repository, tag), ImageConverter.SplitReference(reference));
}
