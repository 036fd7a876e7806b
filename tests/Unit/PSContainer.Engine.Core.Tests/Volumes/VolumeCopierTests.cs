using PSContainer.Engine.Core.Volumes;
using PSContainer.Interop.Linux;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Engine.Core.Tests.Volumes;

public sealed class VolumeCopierTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [RequiresRootFact]
    public void CopiesTheImagesContentWithOwnersModesLinksAndTheRootsOwnership()
    {
        var rootfs = _dir.Combine("rootfs");
        var source = Path.Combine(rootfs, "var", "lib", "app");
        Directory.CreateDirectory(Path.Combine(source, "sub"));
        File.WriteAllText(Path.Combine(source, "sub", "file"), "content");
        File.CreateSymbolicLink(Path.Combine(source, "link"), "sub/file");
        Libc.Check(Libc.linkat(Libc.AT_FDCWD, Path.Combine(source, "sub", "file"), Libc.AT_FDCWD, Path.Combine(source, "hard"), 0), "link");
        Libc.Check(Libc.fchownat(Libc.AT_FDCWD, Path.Combine(source, "sub", "file"), 1000, 1001, 0), "chown");
        Libc.Check(Libc.fchmodat(Libc.AT_FDCWD, Path.Combine(source, "sub", "file"), 0x180 /* 0600 */, 0), "chmod");
        Libc.Check(Libc.fchownat(Libc.AT_FDCWD, source, 33, 33, 0), "chown");
        Libc.Check(Libc.fchmodat(Libc.AT_FDCWD, source, 0x1E8 /* 0750 */, 0), "chmod");
        var volume = _dir.Combine("volume");
        Directory.CreateDirectory(volume);

        Assert.True(VolumeCopier.CopyIntoEmpty(rootfs, "/var/lib/app", volume));

        Assert.Equal("content", File.ReadAllText(Path.Combine(volume, "sub", "file")));
        Assert.Equal("sub/file", new FileInfo(Path.Combine(volume, "link")).LinkTarget);
        var file = Stat(Path.Combine(volume, "sub", "file"));
        Assert.Equal((1000u, 1001u, 0x180u), (file.Uid, file.Gid, file.Mode & 0xFFFu));
        Assert.Equal(file.Ino, Stat(Path.Combine(volume, "hard")).Ino); // hard links stay links
        var root = Stat(volume);
        Assert.Equal((33u, 33u, 0x1E8u), (root.Uid, root.Gid, root.Mode & 0xFFFu));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(volume), e => Path.GetFileName(e).StartsWith(".psc-copy-up", StringComparison.Ordinal));
    }

    [Fact]
    public void LeavesANonEmptyVolumeAndMissingPathsAlone()
    {
        var rootfs = _dir.Combine("rootfs");
        Directory.CreateDirectory(Path.Combine(rootfs, "data"));
        File.WriteAllText(Path.Combine(rootfs, "data", "from-image"), "image");
        File.WriteAllText(Path.Combine(rootfs, "afile"), "not a directory");
        var volume = _dir.Combine("volume");
        Directory.CreateDirectory(volume);
        File.WriteAllText(Path.Combine(volume, "mine"), "user data");

        Assert.False(VolumeCopier.CopyIntoEmpty(rootfs, "/data", volume));
        Assert.Equal(["mine"], Directory.EnumerateFileSystemEntries(volume).Select(Path.GetFileName));

        var empty = _dir.Combine("empty");
        Directory.CreateDirectory(empty);
        Assert.False(VolumeCopier.CopyIntoEmpty(rootfs, "/nothing/here", empty));
        Assert.False(VolumeCopier.CopyIntoEmpty(rootfs, "/afile", empty));
        Assert.Empty(Directory.EnumerateFileSystemEntries(empty));
    }

    [Fact]
    public void SymlinksInTheImageCannotLeadOutOfTheRootfs()
    {
        var rootfs = _dir.Combine("rootfs");
        var outside = _dir.Combine("outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "secret"), "host file");
        Directory.CreateDirectory(rootfs);
        // An absolute symlink to the host's directory: inside the rootfs it means rootfs/<that path>, which is missing.
        File.CreateSymbolicLink(Path.Combine(rootfs, "data"), outside);
        var volume = _dir.Combine("volume");
        Directory.CreateDirectory(volume);

        Assert.False(VolumeCopier.CopyIntoEmpty(rootfs, "/data", volume));
        Assert.Empty(Directory.EnumerateFileSystemEntries(volume));
    }

    private static unsafe Libc.Statx Stat(string path)
    {
        Libc.Statx st;
        Libc.Check(Libc.statx(Libc.AT_FDCWD, path, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, &st), "statx", path);
        return st;
    }

    public void Dispose() => _dir.Dispose();
}
