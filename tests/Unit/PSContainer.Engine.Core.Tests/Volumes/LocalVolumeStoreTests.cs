using PSContainer.Engine.Core.Errdefs;
using PSContainer.Engine.Core.Volumes;
using PSContainer.Interop.Linux;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Engine.Core.Tests.Volumes;

public sealed class LocalVolumeStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private LocalVolumeStore Open() => new(_dir.Combine("volumes"), type => type == "tmpfs");

    [Fact]
    public void CreateMakesDataDirectoryAndRecordAndIsIdempotent()
    {
        var store = Open();
        var (volume, created) = store.Create("data", new Dictionary<string, string> { ["a"] = "1" }, null);
        Assert.True(created);
        Assert.Equal(_dir.Combine("volumes", "data", "_data"), volume.Mountpoint);
        Assert.True(Directory.Exists(volume.Mountpoint));
        Assert.True(File.Exists(_dir.Combine("volumes", "data", "volume.json")));
        Assert.Equal("1", volume.Record.Labels["a"]);
        Assert.Equal("local", volume.Record.Driver);

        var (again, createdAgain) = store.Create("data", new Dictionary<string, string> { ["b"] = "2" }, null);
        Assert.False(createdAgain);
        Assert.Equal(volume.Record.CreatedAt, again.Record.CreatedAt);
        Assert.False(again.Record.Labels.ContainsKey("b")); // the existing volume keeps its labels, as in Docker

        var reopened = Open().Get("data");
        Assert.Equal(volume.Record.CreatedAt, reopened.Record.CreatedAt);
        Assert.Equal("1", reopened.Record.Labels["a"]);
        Assert.Equal(["data"], Open().List().Select(v => v.Name));
    }

    [Fact]
    public void AnonymousVolumesCarryDockersLabel()
    {
        var (volume, _) = Open().Create(VolumeNames.NewAnonymous(), null, null, anonymous: true);
        Assert.True(volume.Record.Anonymous);
        Assert.True(volume.Record.Labels.ContainsKey(VolumeNames.AnonymousLabel));
    }

    [Fact]
    public void FailedCreatesLeaveNothing()
    {
        var store = Open();
        Assert.Throws<CoreException>(() => store.Create("x", null, null));
        Assert.Throws<CoreException>(() => store.Create("bad-opts", null, new Dictionary<string, string> { ["type"] = "tmpfs" }));
        Assert.Throws<CoreException>(() => store.Create("other", null, null, driver: "nfs-plugin"));
        Assert.Empty(store.List());
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.Root));

        // A stray directory in the way is not taken over, and not touched.
        Directory.CreateDirectory(Path.Combine(store.Root, "taken"));
        var conflict = Assert.Throws<CoreException>(() => store.Create("taken", null, null));
        Assert.Equal(CoreErrorKind.Conflict, conflict.Kind);
        Assert.Equal(["taken"], Directory.EnumerateFileSystemEntries(store.Root).Select(Path.GetFileName));
    }

    [Fact]
    public void LeftoversOfInterruptedCreatesAndRemovalsAreSweptAtOpen()
    {
        var root = _dir.Combine("volumes");
        Directory.CreateDirectory(Path.Combine(root, ".tmp-abc", "_data"));
        Directory.CreateDirectory(Path.Combine(root, ".rm-def", "_data"));
        var store = Open();
        Assert.Empty(store.List());
        Assert.Empty(Directory.EnumerateFileSystemEntries(root));
    }

    [Fact]
    public void DirectoriesFromBeforeRecordsAreAdopted()
    {
        var data = _dir.Combine("volumes", "legacy", "_data");
        Directory.CreateDirectory(data);
        File.WriteAllText(Path.Combine(data, "keep"), "x");
        var volume = Open().Get("legacy");
        Assert.False(volume.Record.Anonymous);
        Assert.Equal("x", File.ReadAllText(Path.Combine(volume.Mountpoint, "keep")));
        Assert.True(File.Exists(_dir.Combine("volumes", "legacy", "volume.json")));
    }

    [Fact]
    public void InUseVolumesCannotBeRemoved()
    {
        var store = Open();
        store.CreateAndReference("busy", "c2", null, null);
        store.Reference("busy", "c1");
        var error = Assert.Throws<CoreException>(() => store.Remove("busy"));
        Assert.Equal(CoreErrorKind.Conflict, error.Kind);
        Assert.Equal("remove busy: volume is in use - [c1, c2]", error.Message);

        Assert.True(store.Release("busy", "c1"));
        Assert.False(store.Release("busy", "c2"));
        Assert.False(store.Release("busy", "c2")); // idempotent
        File.WriteAllText(Path.Combine(store.MountpointOf("busy"), "f"), "data");
        store.Remove("busy");
        Assert.False(Directory.Exists(_dir.Combine("volumes", "busy")));
        Assert.Equal(CoreErrorKind.NotFound, Assert.Throws<CoreException>(() => store.Remove("busy")).Kind);
        Assert.Equal("get busy: no such volume", Assert.Throws<CoreException>(() => store.Get("busy")).Message);
        Assert.Equal(CoreErrorKind.NotFound, Assert.Throws<CoreException>(() => store.Reference("busy", "c1")).Kind);
    }

    [Fact]
    public void RestoreRebuildsUsersFromTheDaemonsContainers()
    {
        var store = Open();
        store.Create("a1", null, null);
        store.Create("b1", null, null);
        var reopened = Open();
        reopened.Restore([("a1", "c1", false), ("a1", "c2", true), ("gone", "c3", false)]);
        Assert.Equal(["c1", "c2"], reopened.UsersOf("a1"));
        Assert.Empty(reopened.UsersOf("b1"));
        Assert.Throws<CoreException>(() => reopened.Remove("a1"));
        reopened.Remove("b1");
    }

    [Fact]
    public void SizeCountsFileLengthsAndHardLinksOnce()
    {
        var store = Open();
        var (volume, _) = store.Create("sized", null, null);
        File.WriteAllBytes(Path.Combine(volume.Mountpoint, "a"), new byte[1000]);
        Directory.CreateDirectory(Path.Combine(volume.Mountpoint, "d"));
        File.WriteAllBytes(Path.Combine(volume.Mountpoint, "d", "b"), new byte[24]);
        Libc.Check(Libc.linkat(Libc.AT_FDCWD, Path.Combine(volume.Mountpoint, "d", "b"), Libc.AT_FDCWD, Path.Combine(volume.Mountpoint, "link"), 0), "link");
        Assert.Equal(1024, store.Size("sized"));
    }

    [RequiresRootFact]
    public void TmpfsVolumeIsMountedWhileUsedAndUnmountedAfter()
    {
        var store = Open();
        store.Create("fast", null, new Dictionary<string, string> { ["type"] = "tmpfs", ["device"] = "tmpfs", ["o"] = "size=8m" });
        var data = store.MountpointOf("fast");
        try
        {
            Assert.False(IsMountPoint(data));
            Assert.Equal(data, store.Mount("fast", "c1"));
            Assert.Equal(data, store.Mount("fast", "c2"));
            var line = File.ReadAllLines("/proc/self/mountinfo").Single(l => l.Split(' ')[4] == data);
            Assert.Contains(" - tmpfs tmpfs ", line, StringComparison.Ordinal);
            Assert.Contains("size=8192k", line, StringComparison.Ordinal);
            store.Unmount("fast", "c1");
            Assert.True(IsMountPoint(data)); // c2 still runs
            store.Unmount("fast", "c2");
            Assert.False(IsMountPoint(data));

            // A crash left it mounted with no running user: restore unmounts it.
            store.Mount("fast", "c3");
            Open().Restore([("fast", "c3", false)]);
            Assert.False(IsMountPoint(data));
        }
        finally
        {
            while (IsMountPoint(data))
            {
                PSContainer.Interop.Linux.Libc.umount2(data, PSContainer.Interop.Linux.Libc.MNT_DETACH);
            }
        }
    }

    [RequiresRootFact]
    public void BindBackedVolumeShowsTheHostDirectoryAndRemovalNeverDeletesIt()
    {
        var host = _dir.Combine("host");
        Directory.CreateDirectory(host);
        File.WriteAllText(Path.Combine(host, "precious"), "keep me");
        var store = Open();
        store.Create("bound", null, new Dictionary<string, string> { ["type"] = "none", ["o"] = "bind", ["device"] = host });
        var data = store.MountpointOf("bound");
        try
        {
            store.Mount("bound", "c1");
            Assert.Equal("keep me", File.ReadAllText(Path.Combine(data, "precious")));
            store.Release("bound", "c1");
            Assert.False(IsMountPoint(data));
            store.Remove("bound");
            Assert.Equal("keep me", File.ReadAllText(Path.Combine(host, "precious")));
        }
        finally
        {
            while (IsMountPoint(data))
            {
                PSContainer.Interop.Linux.Libc.umount2(data, PSContainer.Interop.Linux.Libc.MNT_DETACH);
            }
        }
    }

    private static bool IsMountPoint(string path) =>
        File.ReadAllLines("/proc/self/mountinfo").Any(l => l.Split(' ')[4] == path);

    public void Dispose()
    {
        foreach (var mount in File.ReadAllLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4]).Where(m => m.StartsWith(_dir.Path + "/", StringComparison.Ordinal)))
        {
            PSContainer.Interop.Linux.Libc.umount2(mount, PSContainer.Interop.Linux.Libc.MNT_DETACH);
        }
        _dir.Dispose();
    }
}
