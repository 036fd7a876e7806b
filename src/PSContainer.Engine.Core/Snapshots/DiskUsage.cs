using PSContainer.Interop.Linux;

namespace PSContainer.Engine.Core.Snapshots;

/// <summary>One walk over a tree, counting hard-linked inodes once (like du).</summary>
/// <param name="AllocatedBytes">Blocks on disk, directories included (snapshot usage, like du).</param>
/// <param name="ApparentBytes">File lengths of everything but directories (Docker's volume size).</param>
/// <param name="Inodes">Distinct inodes.</param>
internal readonly record struct TreeUsage(long AllocatedBytes, long ApparentBytes, long Inodes);

/// <summary>Sizes of a tree on disk: snapshots and volumes share this walk.</summary>
internal static class DiskUsage
{
    public static SnapshotUsage Of(string root)
    {
        var usage = Measure(root);
        return new SnapshotUsage(usage.AllocatedBytes, usage.Inodes);
    }

    public static unsafe TreeUsage Measure(string root)
    {
        var seen = new HashSet<(ulong, uint, uint)>();
        long allocated = 0;
        long apparent = 0;
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
            var directory = st.FileType == Libc.S_IFDIR;
            if (seen.Add((st.Ino, st.DevMajor, st.DevMinor)))
            {
                inodes++;
                allocated += (long)st.Blocks * 512;
                apparent += directory ? 0 : (long)st.Size;
            }
            if (directory)
            {
                try
                {
                    foreach (var child in Directory.EnumerateFileSystemEntries(path))
                    {
                        pending.Push(child);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // removed or unreadable while we walked: count what we can
                }
            }
        }
        return new TreeUsage(allocated, apparent, inodes);
    }
}
