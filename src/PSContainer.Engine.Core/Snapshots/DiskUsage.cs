using PSContainer.Interop.Linux;

namespace PSContainer.Engine.Core.Snapshots;

/// <summary>Allocated bytes and inodes of a tree, counting hard-linked inodes once (like du).</summary>
internal static class DiskUsage
{
    public static unsafe SnapshotUsage Of(string root)
    {
        var seen = new HashSet<(ulong, uint, uint)>();
        long size = 0;
        long inodes = 0;
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var path = pending.Pop();
            Libc.Statx st;
            if (Libc.statx(Libc.AT_FDCWD, path, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, &st) != 0)
            {
                continue; // removed while we walked
            }
            if (seen.Add((st.Ino, st.DevMajor, st.DevMinor)))
            {
                inodes++;
                size += (long)st.Blocks * 512;
            }
            if (st.FileType == Libc.S_IFDIR)
            {
                foreach (var child in Directory.EnumerateFileSystemEntries(path))
                {
                    pending.Push(child);
                }
            }
        }
        return new SnapshotUsage(size, inodes);
    }
}
