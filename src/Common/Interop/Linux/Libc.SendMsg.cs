using System.Runtime.InteropServices;

namespace PSContainer.Interop.Linux;

/// <summary>
/// sendmsg with SCM_RIGHTS: how psc-runc hands a seccomp user-notification fd to the seccomp agent
/// at linux.seccomp.listenerPath (the managed Socket API cannot send file descriptors).
/// </summary>
public static unsafe partial class Libc
{
    [LibraryImport(Name, SetLastError = true)]
    public static partial nint sendmsg(int socket, MsgHdr* message, int flags);
}
