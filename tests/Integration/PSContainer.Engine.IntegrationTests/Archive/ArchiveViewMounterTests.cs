using PSContainer.Engine.Core.Snapshots;
using PSContainer.Engine.Daemon.Containers;
using PSContainer.Engine.Daemon.Volumes;
using PSContainer.Interop.Linux;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Engine.IntegrationTests.Archive;

/// <summary>
/// The mounts of docker cp's view of a stopped container, on a real mount: destinations resolve
/// inside the view (a symlink in the rootfs cannot send a bind to the host), missing mount points
/// are made, read-only binds refuse writes, and one unmount of the view takes everything along.
/// </summary>
public sealed class ArchiveViewMounterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("psc-view-").FullName;
    private readonly string _view;
    private readonly string _outside = "/psc-view-outside-" + Guid.NewGuid().ToString("N")[..8];

    public ArchiveViewMounterTests()
    {
        _view = Path.Combine(_dir, "view");
        Directory.CreateDirectory(_view);
    }

    public void Dispose()
    {
        Mounter.UnmountAll(_view);
        Directory.Delete(_dir, recursive: true);
        if (Directory.Exists(_outside))
        {
            Directory.Delete(_outside, recursive: true);
        }
    }

    /// <summary>The view is a mount point, as the container's mounted snapshot is.</summary>
    private void MountView() =>
        Libc.Check(Libc.mount(_view, _view, null, Libc.MS_BIND | Libc.MS_REC, null), "bind view", _view);

    [RequiresRootFact]
    public void BindsLandInsideTheViewAndGoWithIt()
    {
        var source = Path.Combine(_dir, "volume");
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "data.txt"), "volume data");
        var fileSource = Path.Combine(_dir, "config.txt");
        File.WriteAllText(fileSource, "file bind");
        // In the rootfs: an absolute symlink where a volume goes; on the host it would point at /psc-view-outside-…
        Directory.CreateDirectory(Path.Combine(_view, "etc"));
        File.CreateSymbolicLink(Path.Combine(_view, "data"), "/.." + _outside);
        MountView();

        ArchiveViewMounter.MountAll(_view, [
            new ViewMount(source, "/data", ReadOnly: true, Recursive: true),
            new ViewMount(fileSource, "/etc/app/config.txt", ReadOnly: false, Recursive: false),
        ]);

        Assert.False(Path.Exists(_outside), "the bind followed the rootfs symlink out to the host");
        Assert.Equal("volume data", File.ReadAllText(Path.Combine(_view, _outside.TrimStart('/'), "data.txt")));
        Assert.ThrowsAny<IOException>(() => File.WriteAllText(Path.Combine(_view, _outside.TrimStart('/'), "new.txt"), "x"));
        Assert.Equal("file bind", File.ReadAllText(Path.Combine(_view, "etc", "app", "config.txt")));
        File.WriteAllText(Path.Combine(_view, "etc", "app", "config.txt"), "changed");
        Assert.Equal("changed", File.ReadAllText(fileSource));

        Mounter.UnmountAll(_view);
        Assert.DoesNotContain(File.ReadAllLines("/proc/self/mountinfo"), l => l.Split(' ')[4].StartsWith(_view, StringComparison.Ordinal));
        // What stays in the rootfs are the mount points, as a start would make them.
        Assert.True(Directory.Exists(Path.Combine(_view, _outside.TrimStart('/'))));
        Assert.Equal("", File.ReadAllText(Path.Combine(_view, "etc", "app", "config.txt")));
    }

    [RequiresRootFact]
    public void NoMountsLeaveTheViewAlone()
    {
        ArchiveViewMounter.MountAll(_view, []);
        Assert.DoesNotContain(File.ReadAllLines("/proc/self/mountinfo"), l => l.Split(' ')[4] == _view);
    }
}
