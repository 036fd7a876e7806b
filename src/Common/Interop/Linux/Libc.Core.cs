using System.Runtime.InteropServices;

namespace PSContainer.Interop.Linux;

/// <summary>
/// P/Invoke into glibc. One partial class, split by area into files named Libc.&lt;Area&gt;.cs.
/// Every import sets SetLastError so failures become <see cref="SyscallException"/>s with errno.
/// </summary>
public static partial class Libc
{
    public const string Name = "libc";

    [LibraryImport(Name, SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(Name, SetLastError = true)]
    public static partial int kill(int pid, int sig);

    [LibraryImport(Name)]
    public static partial int getpid();

    [LibraryImport(Name)]
    public static partial uint geteuid();

    /// <summary>Throws a <see cref="SyscallException"/> when a libc call returned -1.</summary>
    public static int Check(int result, string operation, string? target = null) =>
        result == -1 ? throw SyscallException.FromLastError(operation, target) : result;

    public static long Check(long result, string operation, string? target = null) =>
        result == -1 ? throw SyscallException.FromLastError(operation, target) : result;
}
