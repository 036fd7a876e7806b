using Microsoft.Win32.SafeHandles;
using PSContainer.Engine.Core.Diff;
using PSContainer.Engine.Daemon.Volumes;
using PSContainer.Interop.Linux;

namespace PSContainer.Engine.Daemon.Containers;

/// <summary>
/// Places a stopped container's volumes and binds at their destinations inside a temporary mount
/// of its rootfs, so docker cp reads and writes them as it would in the running container (as
/// dockerd mounts them for a copy). Each destination is resolved inside the view (symlinks in the
/// rootfs cannot send a mount outside it) and created when missing, as start would; the mount goes
/// onto an O_PATH descriptor of that destination, so nothing is looked up again by path.
/// </summary>
public static class ArchiveViewMounter
{
    /// <summary>
    /// Mounts <paramref name="mounts"/> (parents first) below <paramref name="viewRoot"/>. The view is
    /// made private first, so these binds never propagate to the host's mount peers. The caller
    /// unmounts the whole view (a lazy unmount of the root takes its submounts along).
    /// </summary>
    public static void MountAll(string viewRoot, IReadOnlyList<ViewMount> mounts)
    {
        if (mounts.Count == 0)
        {
            return;
        }
        Libc.Check(Libc.mount(null, viewRoot, null, Libc.MS_PRIVATE | Libc.MS_REC, null), "make private", viewRoot);
        using var root = new ScopedRoot(viewRoot);
        foreach (var mount in mounts)
        {
            var directory = Directory.Exists(mount.Source);
            var destination = root.Resolve(ContainerPath.Clean(mount.Destination), followLast: true);
            using (var target = directory ? root.OpenOrCreateDirectory(destination) : OpenOrCreateFile(root, destination))
            {
                var flags = Libc.MS_BIND | (mount.Recursive ? Libc.MS_REC : 0);
                Libc.Check(Libc.mount(mount.Source, ScopedRoot.FdPath(target), null, flags, null), $"mount bind {mount.Source} on", destination);
            }
            if (mount.ReadOnly)
            {
                // A bind ignores MS_RDONLY when it is made; the remount goes to the new mount, reached by a fresh lookup.
                using var mounted = directory ? root.OpenDirectory(destination) : OpenOrCreateFile(root, destination);
                Libc.Check(Libc.mount(null, ScopedRoot.FdPath(mounted), null, Libc.MS_REMOUNT | Libc.MS_BIND | Libc.MS_RDONLY, null),
                    "remount read-only", destination);
            }
        }
    }

    /// <summary>An O_PATH descriptor of the file at <paramref name="cleaned"/> (a file bind's mount point), created empty when missing.</summary>
    private static SafeFileHandle OpenOrCreateFile(ScopedRoot root, string cleaned)
    {
        using var parent = root.OpenOrCreateDirectory(ContainerPath.Parent(cleaned));
        var name = ContainerPath.Name(cleaned);
        var dirfd = (int)parent.DangerousGetHandle();
        var created = Libc.openat(dirfd, name, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0x1A4 /* 0644 */);
        if (created >= 0)
        {
            Libc.close(created);
        }
        var fd = Libc.Check(Libc.openat(dirfd, name, Libc.O_PATH | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0), "open mount point", cleaned);
        return new SafeFileHandle(fd, ownsHandle: true);
    }
}
