using System.Runtime.InteropServices;

namespace PSContainer.Interop.Linux;

/// <summary>
/// A failed system call, carrying the operation, the path or value it acted on, and errno, so the
/// message reads like "mount /proc on /run/x/rootfs/proc: EPERM (Operation not permitted)".
/// </summary>
public sealed class SyscallException : IOException
{
    public SyscallException(string operation, string? target, int errno)
        : base(Format(operation, target, errno))
    {
        Operation = operation;
        Target = target;
        Errno = errno;
        HResult = errno;
    }

    public string Operation { get; }
    public string? Target { get; }
    public int Errno { get; }

    /// <summary>Throws for the errno of the last P/Invoke (declared with SetLastError = true).</summary>
    public static SyscallException FromLastError(string operation, string? target = null) =>
        new(operation, target, Marshal.GetLastPInvokeError());

    private static string Format(string operation, string? target, int errno) =>
        $"{operation}{(target is null ? "" : " " + target)}: {PSContainer.Interop.Linux.Errno.Name(errno)} ({Marshal.GetPInvokeErrorMessage(errno)})";
}
