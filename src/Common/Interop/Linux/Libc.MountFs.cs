using System.Runtime.InteropServices;

namespace PSContainer.Interop.Linux;

/// <summary>mount(2), for mounting snapshots (overlay, bind) onto a container's rootfs.</summary>
public static partial class Libc
{
    public const ulong MS_RDONLY = 0x1, MS_NOSUID = 0x2, MS_NODEV = 0x4, MS_NOEXEC = 0x8, MS_REMOUNT = 0x20,
        MS_BIND = 0x1000, MS_REC = 0x4000, MS_PRIVATE = 0x40000, MS_SLAVE = 0x80000;

    [LibraryImport(Name, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int mount(string? source, string target, string? filesystemType, ulong flags, string? data);
}

/// <summary>
/// The file-system-context mount API (fsopen/fsconfig/fsmount/move_mount, Linux 5.2+; overlay's
/// "lowerdir+" key needs 6.8+). It passes options one at a time, so an overlay is not limited to
/// the one page that mount(2) accepts for all options together.
/// </summary>
public static unsafe partial class Libc
{
    public const uint FSOPEN_CLOEXEC = 1, FSMOUNT_CLOEXEC = 1;
    public const uint FSCONFIG_SET_FLAG = 0, FSCONFIG_SET_STRING = 1, FSCONFIG_CMD_CREATE = 6;
    public const uint MOUNT_ATTR_RDONLY = 1;
    public const uint MOVE_MOUNT_F_EMPTY_PATH = 4;
    private const long SYS_move_mount = 429, SYS_fsopen = 430, SYS_fsconfig = 431, SYS_fsmount = 432; // x86_64

    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    private static partial long syscall_fsopen(long number, byte* fsname, uint flags);

    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    private static partial long syscall_fsconfig(long number, int fd, uint command, byte* key, byte* value, int aux);

    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    private static partial long syscall_fsmount(long number, int fd, uint flags, uint attributes);

    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    private static partial long syscall_move_mount(long number, int fromDirfd, byte* fromPath, int toDirfd, byte* toPath, uint flags);

    public static int fsopen(string fsname, uint flags)
    {
        fixed (byte* name = Utf8Z(fsname))
        {
            return (int)syscall_fsopen(SYS_fsopen, name, flags);
        }
    }

    public static int fsconfig(int fd, uint command, string? key, string? value)
    {
        fixed (byte* k = key is null ? null : Utf8Z(key))
        fixed (byte* v = value is null ? null : Utf8Z(value))
        {
            return (int)syscall_fsconfig(SYS_fsconfig, fd, command, k, v, 0);
        }
    }

    public static int fsmount(int fd, uint flags, uint attributes) => (int)syscall_fsmount(SYS_fsmount, fd, flags, attributes);

    public static int move_mount(int fromDirfd, string fromPath, int toDirfd, string toPath, uint flags)
    {
        fixed (byte* from = Utf8Z(fromPath))
        fixed (byte* to = Utf8Z(toPath))
        {
            return (int)syscall_move_mount(SYS_move_mount, fromDirfd, from, toDirfd, to, flags);
        }
    }

    private static byte[] Utf8Z(string value) => System.Text.Encoding.UTF8.GetBytes(value + "\0");
}
