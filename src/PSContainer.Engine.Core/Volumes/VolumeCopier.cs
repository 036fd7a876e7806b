using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using PSContainer.Engine.Core.Diff;
using PSContainer.Interop.Linux;

namespace PSContainer.Engine.Core.Volumes;

/// <summary>
/// Docker's volume copy-up: the first time an empty volume is mounted over a directory of the
/// container's image, the image's content there is copied into the volume — files, owners, modes,
/// symlinks, devices, hard links and xattrs — and the volume's root takes the directory's owner and
/// mode. A volume that already holds anything is left alone.
/// </summary>
public static class VolumeCopier
{
    /// <summary>
    /// Copies <paramref name="pathInRootfs"/> (resolved inside <paramref name="rootfs"/> as if it were
    /// "/": symlinks cannot lead out) into the empty directory <paramref name="volumeData"/>.
    /// Returns false when nothing was copied (no such directory in the image, or the volume is not empty).
    /// </summary>
    public static bool CopyIntoEmpty(string rootfs, string pathInRootfs, string volumeData)
    {
        if (Directory.EnumerateFileSystemEntries(volumeData).Any())
        {
            return false;
        }
        var rootFd = Libc.Check(Libc.openat(Libc.AT_FDCWD, rootfs, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0), "open", rootfs);
        using var root = new SafeFileHandle(rootFd, ownsHandle: true);
        var fd = Libc.openat2(rootFd, pathInRootfs.TrimStart('/'), (ulong)(Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC), 0,
            Libc.RESOLVE_IN_ROOT | Libc.RESOLVE_NO_MAGICLINKS);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is Errno.ENOENT or Errno.ENOTDIR)
            {
                return false; // the image has nothing there (or a file): the volume starts empty
            }
            throw new SyscallException("open", Path.Combine(rootfs, pathInRootfs.TrimStart('/')), errno);
        }
        using var source = new SafeFileHandle(fd, ownsHandle: true);
        // "/proc/self/fd/N/." is the directory itself (the magic link followed once, by us, here).
        var sourcePath = $"/proc/self/fd/{fd}/.";
        if (!Directory.EnumerateFileSystemEntries(sourcePath).Any())
        {
            CopyOwnerAndMode(sourcePath, volumeData);
            return false;
        }
        // Copy into a hidden directory inside the volume, then move the children up: one copy
        // keeps hard links between them, and a failure leaves the volume as empty as it was.
        var staging = Path.Combine(volumeData, ".psc-copy-up-" + Guid.NewGuid().ToString("N"));
        try
        {
            FileTree.Copy(sourcePath, staging);
            foreach (var child in Directory.EnumerateFileSystemEntries(staging).ToList())
            {
                var target = Path.Combine(volumeData, Path.GetFileName(child));
                Libc.Check(Libc.renameat(Libc.AT_FDCWD, child, Libc.AT_FDCWD, target), "rename", target);
            }
            Libc.Check(Libc.unlinkat(Libc.AT_FDCWD, staging, Libc.AT_REMOVEDIR), "rmdir", staging);
        }
        catch
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(volumeData).ToList())
            {
                FileTree.DeleteRecursive(entry);
            }
            throw;
        }
        CopyOwnerAndMode(sourcePath, volumeData);
        return true;
    }

    private static void CopyOwnerAndMode(string source, string target)
    {
        var st = FileStat.Lstat(source);
        Libc.Check(Libc.fchownat(Libc.AT_FDCWD, target, st.Uid, st.Gid, 0), "chown", target);
        Libc.Check(Libc.fchmodat(Libc.AT_FDCWD, target, st.Mode & 0xFFFu, 0), "chmod", target);
    }
}
