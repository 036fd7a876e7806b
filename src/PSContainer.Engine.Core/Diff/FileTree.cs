using PSContainer.Interop.Linux;

namespace PSContainer.Engine.Core.Diff;

/// <summary>Whole-tree operations on trusted trees (our own snapshot directories).</summary>
public static class FileTree
{
    /// <summary>
    /// Copies <paramref name="source"/> to the new directory <paramref name="target"/> with
    /// everything a layer can carry: hard links stay links, symlinks, devices and FIFOs are
    /// recreated, and owners, modes (setuid too), times and xattrs are kept.
    /// </summary>
    public static void Copy(string source, string target)
    {
        var links = new Dictionary<(ulong Ino, uint Major, uint Minor), string>();
        var directories = new List<(string Path, Libc.Statx Stat)>();
        CopyEntry(source, target, links, directories);
        // Directory times last: creating their children changed them.
        foreach (var (path, st) in directories)
        {
            FileStat.SetTimes(Libc.AT_FDCWD, path, st.Mtime.Seconds, st.Mtime.Nanoseconds);
        }
    }

    private static void CopyEntry(string source, string target, Dictionary<(ulong, uint, uint), string> links, List<(string, Libc.Statx)> directories)
    {
        var st = FileStat.Lstat(source);
        var type = st.FileType;
        if (type != Libc.S_IFDIR && st.Nlink > 1)
        {
            var identity = (st.Ino, st.DevMajor, st.DevMinor);
            if (links.TryGetValue(identity, out var first))
            {
                Libc.Check(Libc.linkat(Libc.AT_FDCWD, first, Libc.AT_FDCWD, target, 0), "link", target);
                return;
            }
            links[identity] = target;
        }
        switch (type)
        {
            case Libc.S_IFDIR:
                Libc.Check(Libc.mkdirat(Libc.AT_FDCWD, target, 0x1C0 /* 0700 */), "mkdir", target);
                foreach (var child in Directory.EnumerateFileSystemEntries(source))
                {
                    CopyEntry(child, Path.Combine(target, Path.GetFileName(child)), links, directories);
                }
                directories.Add((target, st));
                break;
            case Libc.S_IFREG:
                using (var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
                using (var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                {
                    input.CopyTo(output);
                }
                break;
            case Libc.S_IFLNK:
                Libc.Check(Libc.symlinkat(FileStat.ReadLink(source), Libc.AT_FDCWD, target), "symlink", target);
                break;
            case Libc.S_IFCHR or Libc.S_IFBLK or Libc.S_IFIFO:
                Libc.Check(Libc.mknodat(Libc.AT_FDCWD, target, st.Mode, Libc.MakeDev(st.RdevMajor, st.RdevMinor)), "mknod", target);
                break;
            default:
                return; // sockets belong to a running process, not to a file system image
        }
        Libc.Check(Libc.fchownat(Libc.AT_FDCWD, target, st.Uid, st.Gid, Libc.AT_SYMLINK_NOFOLLOW), "lchown", target);
        if (type != Libc.S_IFLNK)
        {
            // After chown, which clears setuid and setgid.
            Libc.Check(Libc.fchmodat(Libc.AT_FDCWD, target, st.Mode & 0xFFFu, 0), "chmod", target);
        }
        foreach (var (name, value) in FileStat.ListXattrs(source))
        {
            FileStat.SetXattr(target, name, value);
        }
        if (type != Libc.S_IFDIR)
        {
            FileStat.SetTimes(Libc.AT_FDCWD, target, st.Mtime.Seconds, st.Mtime.Nanoseconds);
        }
    }

    /// <summary>
    /// Deletes a tree without following symlinks, first making directories writable (a layer may
    /// hold read-only directories, which would stop the unlinks inside them).
    /// </summary>
    public static void DeleteRecursive(string path)
    {
        if (!FileStat.TryLstat(path, out var st))
        {
            return;
        }
        if (st.FileType == Libc.S_IFDIR)
        {
            if ((st.Mode & 0x1C0 /* 0700 */) != 0x1C0 /* 0700 */)
            {
                Libc.fchmodat(Libc.AT_FDCWD, path, 0x1C0 /* 0700 */, 0);
            }
            foreach (var child in Directory.EnumerateFileSystemEntries(path))
            {
                DeleteRecursive(child);
            }
            Libc.Check(Libc.unlinkat(Libc.AT_FDCWD, path, Libc.AT_REMOVEDIR), "rmdir", path);
        }
        else
        {
            Libc.Check(Libc.unlinkat(Libc.AT_FDCWD, path, 0), "unlink", path);
        }
    }
}
