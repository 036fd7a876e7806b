using PSContainer.Engine.Core.Diff;
using Xunit;

namespace PSContainer.Engine.Core.Tests.Diff;

public sealed class ContainerPathTests
{
    [Theory]
    [InlineData("", "/")]
    [InlineData("/", "/")]
    [InlineData("etc", "/etc")]
    [InlineData("/etc//passwd", "/etc/passwd")]
    [InlineData("/a/./b/../c", "/a/c")]
    [InlineData("/../../etc", "/etc")]
    [InlineData("../..", "/")]
    public void Clean_never_climbs_above_the_root(string path, string expected) =>
        Assert.Equal(expected, ContainerPath.Clean(path));

    [Theory]
    [InlineData("etc", "/etc")]
    [InlineData("etc/", "/etc/")]
    [InlineData("/etc/.", "/etc/.")]
    [InlineData("/etc/./", "/etc/")]
    [InlineData(".", "/")]
    [InlineData("/", "/")]
    [InlineData("/a/../b/", "/b/")]
    public void Absolute_keeps_the_trailing_slash_and_dot(string requested, string expected) =>
        Assert.Equal(expected, ContainerPath.Absolute(requested));

    [Theory]
    [InlineData("/etc/passwd", "/etc", "passwd")]
    [InlineData("/etc", "/", "etc")]
    [InlineData("/etc/", "/etc", "")]
    [InlineData("/etc/.", "/etc", ".")]
    [InlineData("/", "/", "")]
    public void Split_separates_what_is_followed_from_the_last_element(string absolute, string directory, string last) =>
        Assert.Equal((directory, last), ContainerPath.Split(absolute));

    [Theory]
    [InlineData("/etc/passwd", "passwd")]
    [InlineData("/etc/", "etc")]
    [InlineData("/etc/.", ".")]
    [InlineData("/", "/")]
    public void BaseName_is_what_the_stat_header_and_archive_call_it(string absolute, string expected) =>
        Assert.Equal(expected, ContainerPath.BaseName(absolute));

    [Theory]
    [InlineData("/dst", "a/b", "/dst/a/b")]
    [InlineData("/dst", "./a", "/dst/a")]
    [InlineData("/dst", "/abs/name", "/dst/abs/name")]
    [InlineData("/dst", "a/../b", "/dst/b")]
    [InlineData("/dst", "./", "/dst")]
    [InlineData("/", "x", "/x")]
    [InlineData("/", "../x", "/x")]
    public void JoinWithin_keeps_entries_below_the_directory(string directory, string entry, string expected) =>
        Assert.Equal(expected, ContainerPath.JoinWithin(directory, entry));

    [Theory]
    [InlineData("/dst", "../x")]
    [InlineData("/dst", "a/../../x")]
    [InlineData("/dst/sub", "../../etc/passwd")]
    public void JoinWithin_refuses_entries_that_climb_out(string directory, string entry) =>
        Assert.Null(ContainerPath.JoinWithin(directory, entry));

    [Fact]
    public void IsWithin_compares_whole_elements()
    {
        Assert.True(ContainerPath.IsWithin("/data", "/data"));
        Assert.True(ContainerPath.IsWithin("/data", "/data/x"));
        Assert.False(ContainerPath.IsWithin("/data", "/database"));
        Assert.True(ContainerPath.IsWithin("/", "/anything"));
    }
}
