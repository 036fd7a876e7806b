using System.Text;
using PSContainer.Interop.Linux;

namespace PSContainer.Engine.Core.Diff;

/// <summary>lstat, readlink and extended attributes of one path, without following a final symlink.</summary>
internal static unsafe class FileStat
{
    public static Libc.Statx Lstat(string path)
    {
        Libc.Statx st;
        Libc.Check(Libc.statx(Libc.AT_FDCWD, path, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, &st), "statx", path);
        return st;
    }

    public static bool TryLstat(string path, out Libc.Statx st)
    {
        fixed (Libc.Statx* p = &st)
        {
            return Libc.statx(Libc.AT_FDCWD, path, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, p) == 0;
        }
    }

    public static string ReadLink(string path)
    {
        var buffer = new byte[4096];
        fixed (byte* p = buffer)
        {
            var n = Libc.Check((long)Libc.readlinkat(Libc.AT_FDCWD, path, p, (nuint)buffer.Length), "readlink", path);
            return Encoding.UTF8.GetString(buffer, 0, (int)n);
        }
    }

    /// <summary>The extended attributes of a path (not following a final symlink).</summary>
    public static Dictionary<string, byte[]> ListXattrs(string path)
    {
        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var size = Libc.llistxattr(path, null, 0);
        if (size <= 0)
        {
            return result; // none, or a file system without xattrs (ENOTSUP)
        }
        var names = new byte[size];
        fixed (byte* p = names)
        {
            size = Libc.llistxattr(path, p, (nuint)names.Length);
        }
        if (size <= 0)
        {
            return result;
        }
        foreach (var name in Encoding.UTF8.GetString(names, 0, (int)size).Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var value = GetXattr(path, name);
            if (value is not null)
            {
                result[name] = value;
            }
        }
        return result;
    }

    public static byte[]? GetXattr(string path, string name)
    {
        var length = Libc.lgetxattr(path, name, null, 0);
        if (length < 0)
        {
            return null;
        }
        var value = new byte[length];
        fixed (byte* p = value)
        {
            length = Libc.lgetxattr(path, name, p, (nuint)value.Length);
        }
        return length < 0 ? null : value[..(int)length];
    }

    public static void SetXattr(string path, string name, ReadOnlySpan<byte> value)
    {
        fixed (byte* p = value)
        {
            Libc.Check(Libc.lsetxattr(path, name, p, (nuint)value.Length, 0), $"setxattr {name}", path);
        }
    }

    /// <summary>Sets mtime and atime without following a final symlink.</summary>
    public static void SetTimes(int dirfd, string path, long seconds, long nanoseconds)
    {
        var times = stackalloc Libc.Timespec[2];
        times[0] = new Libc.Timespec { Seconds = seconds, Nanoseconds = nanoseconds };
        times[1] = times[0];
        Libc.Check(Libc.utimensat(dirfd, path, times, Libc.AT_SYMLINK_NOFOLLOW), "utimensat", path);
    }
}
