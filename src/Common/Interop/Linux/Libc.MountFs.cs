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
