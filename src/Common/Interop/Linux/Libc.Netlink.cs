using System.Runtime.InteropServices;

namespace PSContainer.Interop.Linux;

/// <summary>
/// Netlink sockets and network namespaces: the engine configures links, addresses and routes over
/// rtnetlink (no `ip` processes), and moves a dedicated thread into a container's network namespace
/// to open a netlink socket that stays bound to that namespace.
/// </summary>
public static unsafe partial class Libc
{
    public const int AF_NETLINK = 16, SOCK_RAW = 3, NETLINK_ROUTE = 0;

    public const int SO_RCVBUF = 8, SOL_NETLINK = 270, NETLINK_EXT_ACK = 11;

    /// <summary>struct sockaddr_nl.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockaddrNl
    {
        public ushort Family;
        public ushort Pad;
        public uint Pid;
        public uint Groups;
    }

    [LibraryImport(Name, SetLastError = true)]
    public static partial int socket(int domain, int type, int protocol);

    [LibraryImport(Name, SetLastError = true)]
    public static partial int bind(int fd, SockaddrNl* address, uint length);

    [LibraryImport(Name, SetLastError = true)]
    public static partial int setsockopt(int fd, int level, int name, int* value, uint length);

    /// <summary>Gives the calling thread new namespaces (CLONE_NEWNET affects only this thread; setns is in Libc.Namespaces.cs).</summary>
    [LibraryImport(Name, SetLastError = true)]
    public static partial int unshare(int flags);
}
