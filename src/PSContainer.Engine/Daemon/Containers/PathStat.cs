using PSContainer.Interop.Linux;

namespace PSContainer.Engine.Daemon.Containers;

/// <summary>lstat through statx: the file type and device numbers .NET's file APIs do not expose.</summary>
internal static unsafe class PathStat
{
    public static Libc.Statx Lstat(string path)
    {
        Libc.Statx st;
        Libc.Check(Libc.statx(Libc.AT_FDCWD, path, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, &st), "statx", path);
        return st;
    }

    public static bool Exists(string path)
    {
        Libc.Statx st;
        return Libc.statx(Libc.AT_FDCWD, path, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, &st) == 0;
    }
}
