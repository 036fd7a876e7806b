using System.Runtime.InteropServices;

namespace PSContainer.Interop.Linux;

/// <summary>
/// posix_spawn and the wait family. A process with its own reaper (psc-shim) must not use
/// System.Diagnostics.Process: it waits for its children itself, and glibc's posix_spawn starts
/// the child with vfork semantics, so no managed code runs between fork and exec.
/// </summary>
public static unsafe partial class Libc
{
    /// <summary>glibc's posix_spawn_file_actions_t is 80 bytes on x86_64/arm64; room to spare.</summary>
    public const int PosixSpawnFileActionsSize = 128;

    /// <summary>glibc's posix_spawnattr_t is 336 bytes on x86_64/arm64; room to spare.</summary>
    public const int PosixSpawnAttrSize = 512;

    /// <summary>glibc's sigset_t: 1024 bits.</summary>
    public const int SigSetSize = 128;

    public const short POSIX_SPAWN_SETPGROUP = 0x02, POSIX_SPAWN_SETSIGDEF = 0x04,
        POSIX_SPAWN_SETSIGMASK = 0x08, POSIX_SPAWN_SETSID = 0x80;

    public const int WNOHANG = 1;
    public const int PR_SET_CHILD_SUBREAPER = 36, PR_SET_PDEATHSIG = 1;

    [LibraryImport(Name, SetLastError = true)]
    public static partial int posix_spawn_file_actions_init(void* actions);

    [LibraryImport(Name, SetLastError = true)]
    public static partial int posix_spawn_file_actions_destroy(void* actions);

    [LibraryImport(Name, SetLastError = true)]
    public static partial int posix_spawn_file_actions_adddup2(void* actions, int fd, int newfd);

    [LibraryImport(Name, SetLastError = true)]
    public static partial int posix_spawnattr_init(void* attr);

    [LibraryImport(Name, SetLastError = true)]
    public static partial int posix_spawnattr_destroy(void* attr);

    [LibraryImport(Name, SetLastError = true)]
    public static partial int posix_spawnattr_setflags(void* attr, short flags);

    [LibraryImport(Name, SetLastError = true)]
    public static partial int posix_spawnattr_setsigmask(void* attr, void* sigmask);

    [LibraryImport(Name, SetLastError = true)]
    public static partial int posix_spawnattr_setsigdefault(void* attr, void* sigdefault);

    /// <summary>Returns an errno value (not -1) on failure, as POSIX specifies.</summary>
    [LibraryImport(Name, SetLastError = true)]
    public static partial int posix_spawn(int* pid, byte* path, void* fileActions, void* attr, byte** argv, byte** envp);

    [LibraryImport(Name, SetLastError = true)]
    public static partial int sigemptyset(void* set);

    [LibraryImport(Name, SetLastError = true)]
    public static partial int sigfillset(void* set);

    [LibraryImport(Name, SetLastError = true)]
    public static partial int sigdelset(void* set, int signal);

    [LibraryImport(Name, SetLastError = true)]
    public static partial int waitpid(int pid, int* status, int options);

    [LibraryImport(Name, SetLastError = true)]
    public static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    /// <summary>The exit code a shell would report for a wait status: the code, or 128 + signal.</summary>
    public static int ExitCodeFromWaitStatus(int status)
    {
        var signal = status & 0x7f;
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal;
    }
}
