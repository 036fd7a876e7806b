using PSContainer.Interop.Linux;

namespace PSContainer.Engine.Daemon.Containers;

public sealed partial class ContainerService
{
    /// <summary>
    /// SizeRw as dockerd reports it: the bytes of the files in the container's writable layer (not
    /// the blocks they use, and not the directories), so a fresh container is "0B"; the empty
    /// mount points of /etc/hostname, hosts and resolv.conf count nothing either. On the copying
    /// snapshotter the layer is the whole tree, as with Docker's vfs driver.
    /// </summary>
    private long? WritableLayerSize(ContainerRecord record)
    {
        try
        {
            var upper = snapshotter.LayerDirectories(record.SnapshotKey)[0];
            return FilesSize(upper);
        }
        catch (Exception e) when (e is Core.Errdefs.CoreException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>SizeRootFs: the writable layer plus the image it sits on ("0B (virtual 1.99MB)" in docker ps -s).</summary>
    private long? RootFsSize(ContainerRecord record, long? sizeRw) =>
        sizeRw is { } rw && images.TryGet(record.ImageId, out var image) ? rw + image.ContentSize : sizeRw;

    private static long FilesSize(string directory)
    {
        long total = 0;
        var seen = new HashSet<(ulong, uint, uint)>();
        var pending = new Stack<string>();
        pending.Push(directory);
        while (pending.Count > 0)
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(pending.Pop()))
            {
                if (!TryLstat(entry, out var st))
                {
                    continue;
                }
                if (st.FileType == Libc.S_IFDIR)
                {
                    pending.Push(entry);
                }
                else if (st.Nlink <= 1 || seen.Add((st.Ino, st.DevMajor, st.DevMinor)))
                {
                    total += (long)st.Size;
                }
            }
        }
        return total;
    }

    private static unsafe bool TryLstat(string path, out Libc.Statx st)
    {
        fixed (Libc.Statx* p = &st)
        {
            return Libc.statx(Libc.AT_FDCWD, path, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, p) == 0;
        }
    }
}
