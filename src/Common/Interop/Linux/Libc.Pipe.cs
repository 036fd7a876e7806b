using System.Runtime.InteropServices;

namespace PSContainer.Interop.Linux;

/// <summary>Pipes and raw reads and writes on file descriptors the caller owns.</summary>
public static unsafe partial class Libc
{
    public const int O_CLOEXEC = 0x80000, O_NONBLOCK = 0x800;

    /// <summary>struct winsize ioctl (asm-generic/ioctls.h).</summary>
    public const uint TIOCSWINSZ = 0x5414, TIOCGWINSZ = 0x5413;

    [StructLayout(LayoutKind.Sequential)]
    public struct WinSize
    {
        public ushort Rows;
        public ushort Columns;
        public ushort XPixels;
        public ushort YPixels;
    }

    [LibraryImport(Name, SetLastError = true)]
    public static partial int pipe2(int* fds, int flags);

    [LibraryImport(Name, SetLastError = true)]
    public static partial nint read(int fd, byte* buffer, nuint count);

    [LibraryImport(Name, SetLastError = true)]
    public static partial nint write(int fd, byte* buffer, nuint count);

    [LibraryImport(Name, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int ioctl_winsize(int fd, nuint request, WinSize* size);
}
