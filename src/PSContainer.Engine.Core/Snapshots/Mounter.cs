using PSContainer.Engine.Core.Errdefs;
using PSContainer.Interop.Linux;

namespace PSContainer.Engine.Core.Snapshots;

/// <summary>Performs the mounts a snapshotter returns, onto a target directory (the container's rootfs).</summary>
public static class Mounter
{
    /// <summary>Mounts <paramref name="mounts"/> in order onto <paramref name="target"/>.</summary>
    public static void MountAll(IReadOnlyList<SnapshotMount> mounts, string target)
    {
        foreach (var mount in mounts)
        {
            Mount(mount, target);
        }
    }

    public static void Mount(SnapshotMount mount, string target)
    {
        var readOnly = mount.Options.Contains("ro");
        switch (mount.Type)
        {
            case "bind":
                var flags = Libc.MS_BIND | (mount.Options.Contains("rbind") ? Libc.MS_REC : 0);
                Libc.Check(Libc.mount(mount.Source, target, null, flags, null), $"mount bind {mount.Source} on", target);
                if (readOnly)
                {
                    // A bind mount ignores MS_RDONLY on creation; read-only takes a remount.
                    Libc.Check(Libc.mount(null, target, null, Libc.MS_REMOUNT | Libc.MS_BIND | Libc.MS_RDONLY, null), "remount read-only", target);
                }
                break;
            case "overlay":
                var data = string.Join(',', mount.Options.Where(o => o is not "ro" and not "rw"));
                if (System.Text.Encoding.UTF8.GetByteCount(data) < MountDataLimit)
                {
                    Libc.Check(Libc.mount("overlay", target, "overlay", readOnly ? Libc.MS_RDONLY : 0, data), "mount overlay on", target);
                }
                else
                {
                    MountLongOverlay(mount, target, readOnly);
                }
                break;
            default:
                throw CoreException.NotImplemented($"mount type {mount.Type} is not supported");
        }
    }

    /// <summary>mount(2) takes at most one page of options; deep layer chains need more.</summary>
    private const int MountDataLimit = 4000;

    /// <summary>
    /// Mounts an overlay whose options exceed a page through the fs-context API, adding the lower
    /// directories one by one ("lowerdir+", Linux 6.8+).
    /// </summary>
    private static void MountLongOverlay(SnapshotMount mount, string target, bool readOnly)
    {
        var fs = Libc.Check(Libc.fsopen("overlay", Libc.FSOPEN_CLOEXEC), "fsopen overlay for", target);
        try
        {
            foreach (var option in mount.Options.Where(o => o is not "ro" and not "rw"))
            {
                var eq = option.IndexOf('=', StringComparison.Ordinal);
                var key = eq < 0 ? option : option[..eq];
                var value = eq < 0 ? null : option[(eq + 1)..];
                if (key == "lowerdir" && value is not null)
                {
                    foreach (var lower in value.Split(':'))
                    {
                        Libc.Check(Libc.fsconfig(fs, Libc.FSCONFIG_SET_STRING, "lowerdir+", lower), "fsconfig lowerdir+", lower);
                    }
                }
                else
                {
                    Libc.Check(Libc.fsconfig(fs, value is null ? Libc.FSCONFIG_SET_FLAG : Libc.FSCONFIG_SET_STRING, key, value), $"fsconfig {key}", target);
                }
            }
            Libc.Check(Libc.fsconfig(fs, Libc.FSCONFIG_CMD_CREATE, null, null), "fsconfig create overlay for", target);
            var mnt = Libc.Check(Libc.fsmount(fs, Libc.FSMOUNT_CLOEXEC, readOnly ? Libc.MOUNT_ATTR_RDONLY : 0), "fsmount overlay for", target);
            try
            {
                Libc.Check(Libc.move_mount(mnt, "", Libc.AT_FDCWD, target, Libc.MOVE_MOUNT_F_EMPTY_PATH), "move_mount overlay to", target);
            }
            finally
            {
                Libc.close(mnt);
            }
        }
        finally
        {
            Libc.close(fs);
        }
    }

    /// <summary>Unmounts everything stacked on <paramref name="target"/>; a target with nothing mounted is fine.</summary>
    public static void UnmountAll(string target)
    {
        for (var i = 0; i < 64; i++)
        {
            if (Libc.umount2(target, 0) == 0)
            {
                continue;
            }
            var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno is Errno.EINVAL or Errno.ENOENT)
            {
                return; // not a mount point (any more)
            }
            if (errno == Errno.EBUSY)
            {
                Libc.Check(Libc.umount2(target, Libc.MNT_DETACH), "umount (detach)", target);
                continue;
            }
            throw new SyscallException("umount", target, errno);
        }
    }
}
