using System.Runtime.InteropServices;

namespace PSContainer.Interop.Linux;

/// <summary>Joining namespaces from the calling thread (setns(2)).</summary>
public static partial class Libc
{
    /// <summary>The network namespace type for setns/unshare (linux/sched.h).</summary>
    public const int CLONE_NEWNET = 0x40000000;

    /// <summary>
    /// Moves the calling thread into the namespace <paramref name="fd"/> refers to. For a network
    /// namespace this is per thread and allowed in a multi-threaded process (man 2 setns).
    /// </summary>
    [LibraryImport(Name, SetLastError = true)]
    public static partial int setns(int fd, int nstype);
}
