using Microsoft.Win32.SafeHandles;
using PSContainer.Interop.Linux;

namespace PSContainer.Engine.Core.Metadata;

/// <summary>
/// Durable, atomic replacement of small files: write a temp file in the same directory, fsync it,
/// rename it over the target, fsync the directory (rename is atomic, but only the directory
/// fsync makes the new name survive a power loss).
/// </summary>
public static class AtomicFile
{
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> data, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temp = Path.Combine(directory, $".tmp-{Path.GetFileName(path)}-{Guid.NewGuid():N}");
        try
        {
            using (var stream = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = mode,
            }))
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
        FsyncDirectory(directory);
    }

    /// <summary>Makes renames and unlinks inside <paramref name="directory"/> durable.</summary>
    public static void FsyncDirectory(string directory)
    {
        var fd = Libc.Check(Libc.openat(Libc.AT_FDCWD, directory, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0), "open", directory);
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        Libc.Check(Libc.fsync(fd), "fsync", directory);
    }
}
