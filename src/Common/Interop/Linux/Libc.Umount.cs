using System.Runtime.InteropServices;

namespace PSContainer.Interop.Linux;

/// <summary>umount2, for cleanup of a rootfs the engine mounted (psc-shim delete).</summary>
public static partial class Libc
{
    public const int MNT_DETACH = 2;

    [LibraryImport(Name, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int umount2(string target, int flags);
}
