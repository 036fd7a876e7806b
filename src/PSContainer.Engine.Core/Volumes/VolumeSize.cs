using PSContainer.Interop.Linux;

namespace PSContainer.Engine.Core.Volumes;

/// <summary>Apparent size of a tree (file lengths, hard-linked inodes once), as Docker reports volume sizes.</summary>
internal static class VolumeSize
{
    public static unsafe long Of(string root)
    {
        var seen = new HashSet<(ulong, uint, uint)>();
        long size = 0;
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
            if (st.FileType == Libc.S_IFDIR)
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
            else if (seen.Add((st.Ino, st.DevMajor, st.DevMinor)))
            {
                size += (long)st.Size;
            }
        }
        return size;
    }
}
