using PSContainer.Interop.Linux;

namespace PSContainer.Engine.Core.Snapshots;

/// <summary>Decides whether overlayfs snapshots work under a data root.</summary>
public static class OverlaySupport
{
    /// <summary>
    /// Null when overlayfs works under <paramref name="root"/>, else why not. It really mounts a
    /// small overlay there (which also loads the module): "overlay" in /proc/filesystems is not
    /// enough, the upper directory's file system must support it too (overlay on overlay, or on
    /// some network file systems, is refused by the kernel).
    /// </summary>
    public static string? WhyNot(string root)
    {
        if (Libc.geteuid() != 0)
        {
            return "overlayfs needs root";
        }
        Directory.CreateDirectory(root);
        var probe = Path.Combine(root, $".overlay-probe-{Guid.NewGuid():N}");
        try
        {
            foreach (var dir in new[] { "lower1", "lower2", "upper", "work", "merged" })
            {
                Directory.CreateDirectory(Path.Combine(probe, dir));
            }
            var data = $"lowerdir={probe}/lower1:{probe}/lower2,upperdir={probe}/upper,workdir={probe}/work";
            if (Libc.mount("overlay", Path.Combine(probe, "merged"), "overlay", 0, data) != 0)
            {
                var error = SyscallException.FromLastError("mount overlay on", Path.Combine(probe, "merged"));
                return $"overlayfs does not work under {root}: {error.Message}";
            }
            Libc.umount2(Path.Combine(probe, "merged"), Libc.MNT_DETACH);
            return null;
        }
        finally
        {
            try
            {
                Directory.Delete(probe, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>Opens the overlay snapshotter when it works, else the copying one (with the reason).</summary>
    public static ISnapshotter OpenBest(string snapshotsRoot, out string? fallbackReason)
    {
        fallbackReason = WhyNot(Path.Combine(snapshotsRoot, "overlayfs"));
        return fallbackReason is null
            ? new OverlaySnapshotter(Path.Combine(snapshotsRoot, "overlayfs"))
            : new NativeSnapshotter(Path.Combine(snapshotsRoot, "native"));
    }
}
