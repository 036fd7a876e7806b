using System.Runtime.InteropServices;

namespace PSContainer.Interop.Linux;

/// <summary>
/// What the OCI runtime needs besides spawning: sealed memfds (the CVE-2019-5736 defence), the
/// stage-0 sync socket, the exec FIFO, pidfds to wait for processes that are not our children.
/// </summary>
public static unsafe partial class Libc
{
    public const uint MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2;
    public const int F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_ADD_SEALS = 1033, FD_CLOEXEC = 1;
    public const int F_SEAL_SEAL = 1, F_SEAL_SHRINK = 2, F_SEAL_GROW = 4, F_SEAL_WRITE = 8;
    public const int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_SEQPACKET = 5, SOCK_CLOEXEC = 0x80000;
    public const int MSG_NOSIGNAL = 0x4000;
    public const short POLLIN = 1;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport(Name, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int memfd_create(string name, uint flags);

    [LibraryImport(Name, SetLastError = true)]
    public static partial int fcntl(int fd, int cmd, int arg);

    [LibraryImport(Name, SetLastError = true)]
    public static partial int socketpair(int domain, int type, int protocol, int* fds);

    [LibraryImport(Name, SetLastError = true)]
    public static partial nint send(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport(Name, SetLastError = true)]
    public static partial nint recv(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport(Name, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int mkfifo(string path, uint mode);

    [LibraryImport(Name, SetLastError = true)]
    public static partial int poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    private static partial long syscall_pidfd_open(long number, int pid, uint flags);

    private const long SYS_pidfd_open = 434; // the same number on every architecture

    /// <summary>pidfd_open(2): an fd that becomes readable when <paramref name="pid"/> exits.</summary>
    public static int pidfd_open(int pid) => (int)syscall_pidfd_open(SYS_pidfd_open, pid, 0);

    /// <summary>open(2) (the glibc wrapper, for O_PATH and FIFOs where FileStream does not fit).</summary>
    [LibraryImport(Name, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int open(string path, int flags, uint mode);
}
