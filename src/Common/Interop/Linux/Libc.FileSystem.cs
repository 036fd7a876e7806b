using System.Runtime.InteropServices;

namespace PSContainer.Interop.Linux;

/// <summary>
/// The *at file system calls, statx, extended attributes and fsync: what layer extraction needs to
/// create every file type with its metadata relative to a directory fd, so that no path is ever
/// resolved outside the extraction root.
/// </summary>
public static unsafe partial class Libc
{
    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int AT_REMOVEDIR = 0x200;
    public const int AT_SYMLINK_FOLLOW = 0x400;
    public const int AT_EMPTY_PATH = 0x1000;

    public const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0x40, O_EXCL = 0x80, O_TRUNC = 0x200,
        O_DIRECTORY = 0x10000, O_NOFOLLOW = 0x20000, O_PATH = 0x200000;
    // O_CLOEXEC is declared in Libc.Pipe.cs.

    public const uint S_IFMT = 0xF000, S_IFSOCK = 0xC000, S_IFLNK = 0xA000, S_IFREG = 0x8000, S_IFBLK = 0x6000,
        S_IFDIR = 0x4000, S_IFCHR = 0x2000, S_IFIFO = 0x1000;

    /// <summary>utimensat's "leave this time alone" marker (tv_nsec).</summary>
    public const long UTIME_OMIT = (1L << 30) - 2;

    /// <summary>openat2(2) resolve flags.</summary>
    public const ulong RESOLVE_NO_XDEV = 0x01, RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_NO_SYMLINKS = 0x04,
        RESOLVE_BENEATH = 0x08, RESOLVE_IN_ROOT = 0x10;

    private const long SYS_openat2 = 437; // x86_64

    [StructLayout(LayoutKind.Sequential)]
    public struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct StatxTimestamp
    {
        public long Seconds;
        public uint Nanoseconds;
        private readonly int _reserved;
    }

    /// <summary>struct statx (linux/stat.h), 256 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Statx
    {
        public uint Mask;
        public uint BlockSize;
        public ulong Attributes;
        public uint Nlink;
        public uint Uid;
        public uint Gid;
        public ushort Mode;
        private readonly ushort _spare0;
        public ulong Ino;
        public ulong Size;
        public ulong Blocks;
        public ulong AttributesMask;
        public StatxTimestamp Atime;
        public StatxTimestamp Btime;
        public StatxTimestamp Ctime;
        public StatxTimestamp Mtime;
        public uint RdevMajor;
        public uint RdevMinor;
        public uint DevMajor;
        public uint DevMinor;
        private fixed ulong _spare[14];

        public readonly uint FileType => Mode & S_IFMT;
    }

    public const uint STATX_BASIC_STATS = 0x7ff;

    [LibraryImport(Name, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int openat(int dirfd, string path, int flags, uint mode);

    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    private static partial long syscall_openat2(long number, int dirfd, byte* path, OpenHow* how, nuint size);

    /// <summary>openat2(2): open <paramref name="path"/> relative to <paramref name="dirfd"/> under the given resolve rules.</summary>
    public static int openat2(int dirfd, string path, ulong flags, ulong mode, ulong resolve)
    {
        var how = new OpenHow { Flags = flags, Mode = mode, Resolve = resolve };
        var bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
        {
            return (int)syscall_openat2(SYS_openat2, dirfd, p, &how, (nuint)sizeof(OpenHow));
        }
    }

    [LibraryImport(Name, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int mkdirat(int dirfd, string path, uint mode);

    [LibraryImport(Name, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int mknodat(int dirfd, string path, uint mode, ulong dev);

    [LibraryImport(Name, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int symlinkat(string target, int newdirfd, string linkpath);

    [LibraryImport(Name, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int linkat(int olddirfd, string oldpath, int newdirfd, string newpath, int flags);

    [LibraryImport(Name, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int unlinkat(int dirfd, string path, int flags);

    [LibraryImport(Name, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int renameat(int olddirfd, string oldpath, int newdirfd, string newpath);

    [LibraryImport(Name, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int fchownat(int dirfd, string path, uint owner, uint group, int flags);

    [LibraryImport(Name, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int fchmodat(int dirfd, string path, uint mode, int flags);

    [LibraryImport(Name, SetLastError = true)]
    public static partial int fchmod(int fd, uint mode);

    [LibraryImport(Name, SetLastError = true)]
    public static partial int fchown(int fd, uint owner, uint group);

    [LibraryImport(Name, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int utimensat(int dirfd, string path, Timespec* times, int flags);

    [LibraryImport(Name, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int statx(int dirfd, string path, int flags, uint mask, Statx* buffer);

    [LibraryImport(Name, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial nint readlinkat(int dirfd, string path, byte* buffer, nuint size);

    [LibraryImport(Name, SetLastError = true)]
    public static partial int fsync(int fd);

    [LibraryImport(Name, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int lsetxattr(string path, string name, byte* value, nuint size, int flags);

    [LibraryImport(Name, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial nint lgetxattr(string path, string name, byte* value, nuint size);

    [LibraryImport(Name, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial nint llistxattr(string path, byte* list, nuint size);

    /// <summary>makedev(3) for Linux's dev_t encoding.</summary>
    public static ulong MakeDev(uint major, uint minor) =>
        ((ulong)(major & 0xfffff000) << 32) | ((ulong)(major & 0xfff) << 8)
        | ((ulong)(minor & 0xffffff00) << 12) | (minor & 0xff);
}
