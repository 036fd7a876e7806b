using System.Runtime.InteropServices;

namespace PSContainer.Interop.Linux;

/// <summary>dup3(2): points an fd number (such as stderr) at another open file.</summary>
public static partial class Libc
{
    [LibraryImport(Name, SetLastError = true)]
    public static partial int dup3(int oldFd, int newFd, int flags);
}
