using Microsoft.Win32.SafeHandles;
using PSContainer.Interop.Linux;

namespace PSContainer.Engine.Core.Metadata;

/// <summary>
/// Durable, atomic replacement of small files: write a temp file in the same directory, fsync it,
/// rename it over the target. A new name is made durable with an fsync of the directory; a
/// replaced one is not: until the next journal commit a power loss leaves the old, complete
/// version under that name, never a torn one, and the hot path (every container start updates
/// a few records) saves one fsync per write. Durability of the latest update is then what dockerd
/// gives for its config files.
/// </summary>
public static class AtomicFile
{
    /// <summary>Replaces <paramref name="path"/> with <paramref name="data"/> (mode 0600: metadata is the engine's own).</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> data)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temp = Path.Combine(directory, $".tmp-{Path.GetFileName(path)}-{Guid.NewGuid():N}");
        var replacing = File.Exists(path);
        try
        {
            var fd = Libc.Check(
                Libc.openat(Libc.AT_FDCWD, temp, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_CLOEXEC, 0x180 /* 0600 */), "create", temp);
            using (var stream = new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Write))
            {
                stream.Write(data);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        if (!replacing)
        {
            FsyncDirectory(directory);
        }
    }

    /// <summary>Makes renames and unlinks inside <paramref name="directory"/> durable.</summary>
    public static void FsyncDirectory(string directory)
    {
        var fd = Libc.Check(Libc.openat(Libc.AT_FDCWD, directory, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0), "open", directory);
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        Libc.Check(Libc.fsync(fd), "fsync", directory);
    }
}
