using PSContainer.Engine.Core.Diff;
using PSContainer.Interop.Linux;
using Xunit;

namespace PSContainer.Engine.Core.Tests.Diff;

/// <summary>Path resolution inside a container root: symlinks followed as the container sees them, never out of the root.</summary>
public sealed class ScopedRootTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _root;
    private readonly ScopedRoot _scoped;

    public ScopedRootTests()
    {
        _root = _dir.Combine("root");
        Directory.CreateDirectory(Path.Combine(_root, "etc"));
        Directory.CreateDirectory(Path.Combine(_root, "data", "sub"));
        File.WriteAllText(Path.Combine(_root, "etc", "passwd"), "container passwd");
        File.WriteAllText(_dir.Combine("secret"), "host secret");
        File.CreateSymbolicLink(Path.Combine(_root, "abs-etc"), "/etc");
        File.CreateSymbolicLink(Path.Combine(_root, "data", "rel-etc"), "../etc");
        File.CreateSymbolicLink(Path.Combine(_root, "data", "escape"), "../../../../../..");
        File.CreateSymbolicLink(Path.Combine(_root, "data", "escape-file"), "../../secret");
        File.CreateSymbolicLink(Path.Combine(_root, "loop-a"), "loop-b");
        File.CreateSymbolicLink(Path.Combine(_root, "loop-b"), "loop-a");
        File.CreateSymbolicLink(Path.Combine(_root, "dangling"), "/nowhere/file");
        _scoped = new ScopedRoot(_root);
    }

    public void Dispose()
    {
        _scoped.Dispose();
        _dir.Dispose();
    }

    [Theory]
    [InlineData("/abs-etc/passwd", "/etc/passwd")]
    [InlineData("/data/rel-etc/passwd", "/etc/passwd")]
    [InlineData("/data/escape", "/")]
    [InlineData("/data/escape/etc", "/etc")]
    [InlineData("/data/escape-file", "/secret")]
    [InlineData("/../../..", "/")]
    [InlineData("/dangling", "/nowhere/file")]
    [InlineData("/missing/x/../y", "/missing/y")]
    public void Resolve_follows_symlinks_inside_the_root(string path, string expected) =>
        Assert.Equal(expected, _scoped.Resolve(path, followLast: true));

    [Fact]
    public void Resolve_can_leave_the_last_element_alone()
    {
        Assert.Equal("/abs-etc", _scoped.Resolve("/abs-etc", followLast: false));
        Assert.Equal("/etc/passwd", _scoped.Resolve("/abs-etc/passwd", followLast: false));
    }

    [Fact]
    public void A_symlink_loop_is_ELOOP()
    {
        var e = Assert.Throws<SyscallException>(() => _scoped.Resolve("/loop-a", followLast: true));
        Assert.Equal(Errno.ELOOP, e.Errno);
    }

    [Fact]
    public void An_escaping_symlink_reads_the_container_file_not_the_host_one()
    {
        // "../../secret" from /data resolves to /secret inside the root, which does not exist:
        // the host's secret next to the root must stay unreachable.
        var resolved = _scoped.Resolve("/data/escape-file", followLast: true);
        Assert.False(_scoped.TryLstat(resolved, out _, out var errno));
        Assert.Equal(Errno.ENOENT, errno);
    }

    [Fact]
    public void Lstat_reports_a_file_used_as_a_directory_as_ENOTDIR()
    {
        var e = Assert.Throws<SyscallException>(() => _scoped.Lstat("/etc/passwd/x"));
        Assert.Equal(Errno.ENOTDIR, e.Errno);
        Assert.Equal("/etc/passwd/x", e.Target); // the container path, never a host path
        var missing = Assert.Throws<SyscallException>(() => _scoped.Lstat("/nope"));
        Assert.Equal(Errno.ENOENT, missing.Errno);
    }

    [Fact]
    public void OpenOrCreateDirectory_makes_parents_through_symlinks_inside_the_root()
    {
        using (_scoped.OpenOrCreateDirectory("/data/escape/newdir/deeper"))
        {
        }
        Assert.True(Directory.Exists(Path.Combine(_root, "newdir", "deeper")));
        Assert.False(Directory.Exists(_dir.Combine("newdir")));
    }

    [Fact]
    public void RemoveTree_removes_a_directory_without_following_links_out_of_it()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "data", "sub", "to-host"), _dir.Path);
        using (var data = _scoped.OpenDirectory("/data"))
        {
            ScopedRoot.RemoveTree(data, "sub", "/data/sub");
        }
        Assert.False(Directory.Exists(Path.Combine(_root, "data", "sub")));
        Assert.Equal("host secret", File.ReadAllText(_dir.Combine("secret")));
    }
}
