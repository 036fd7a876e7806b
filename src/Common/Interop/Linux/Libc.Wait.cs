using System.Runtime.InteropServices;

namespace PSContainer.Interop.Linux;

/// <summary>waitid(2): lets a reaper look at an exited child (WNOWAIT) before deciding to collect it.</summary>
public static unsafe partial class Libc
{
    public const int P_ALL = 0, P_PIDFD = 3;
    public const int WEXITED = 4, WNOWAIT = 0x01000000;

    /// <summary>siginfo_t is 128 bytes on Linux; si_pid is the int at offset 16 on 64-bit ABIs.</summary>
    public const int SigInfoSize = 128, SigInfoPidOffset = 16;

    [LibraryImport(Name, SetLastError = true)]
    public static partial int waitid(int idType, int id, void* info, int options);
}
