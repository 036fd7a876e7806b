using PSContainer.Engine.Core.Snapshots;
using PSContainer.ShimApi;

namespace PSContainer.Engine.Daemon.Containers;

/// <summary>
/// Mounts a container's snapshot at &lt;bundle&gt;/rootfs before the shim creates the container, and
/// unmounts it after. The marker file tells `psc-shim delete` that it must unmount the rootfs
/// when it cleans up after a shim that died with the engine away.
/// </summary>
public static class RootfsMounter
{
    public static void Mount(IReadOnlyList<SnapshotMount> mounts, string bundle)
    {
        var rootfs = Path.Combine(bundle, "rootfs");
        Directory.CreateDirectory(rootfs);
        // The marker goes first: if the mount succeeds and the engine dies before recording it,
        // psc-shim delete still knows to unmount.
        File.WriteAllText(Path.Combine(bundle, ShimPaths.RootfsMountedMarker), "");
        Mounter.MountAll(mounts, rootfs);
    }

    /// <summary>Unmounts (lazily, in case something still holds it) and removes the bundle directory.</summary>
    public static void UnmountAndRemoveBundle(string bundle)
    {
        var rootfs = Path.Combine(bundle, "rootfs");
        var marker = Path.Combine(bundle, ShimPaths.RootfsMountedMarker);
        if (File.Exists(marker))
        {
            Mounter.UnmountAll(rootfs);
            File.Delete(marker);
        }
        if (Directory.Exists(bundle))
        {
            Directory.Delete(bundle, recursive: true);
        }
    }
}
