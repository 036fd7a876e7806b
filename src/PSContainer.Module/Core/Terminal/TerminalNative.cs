using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PSContainer.Module.Core.Terminal;

/// <summary>
/// glibc's terminal calls for raw mode, window size and cancellable reads. The module does not
/// compile the shared Interop folder (it is a client assembly), so these few live here.
/// </summary>
internal static partial class TerminalNative
{
    private const uint TIOCGWINSZ = 0x5413;
    private const int TCSANOW = 0;
    private const short POLLIN = 0x1;
    private const int EINTR = 4;

    /// <summary>glibc's struct termios on Linux (60 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Termios
    {
        public uint InputFlags;
        public uint OutputFlags;
        public uint ControlFlags;
        public uint LocalFlags;
        public byte LineDiscipline;
        public ControlCharacters ControlChars;
        public uint InputSpeed;
        public uint OutputSpeed;
    }

    [InlineArray(32)]
    internal struct ControlCharacters
    {
        private byte _first;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct WindowSize
    {
        public ushort Rows;
        public ushort Columns;
        public ushort XPixels;
        public ushort YPixels;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short ReturnedEvents;
    }

    public static bool IsTerminal(int fd) => isatty(fd) == 1;

    public static Termios GetAttributes(int fd)
    {
        if (tcgetattr(fd, out var termios) != 0)
        {
            throw Failure("tcgetattr", fd);
        }
        return termios;
    }

    public static void SetAttributes(int fd, in Termios termios)
    {
        if (tcsetattr(fd, TCSANOW, in termios) != 0)
        {
            throw Failure("tcsetattr", fd);
        }
    }

    /// <summary>cfmakeraw: no echo, no line editing, no signals from keys, 8-bit bytes, no output processing.</summary>
    public static Termios MakeRaw(Termios termios)
    {
        cfmakeraw(ref termios);
        return termios;
    }

    public static (int Rows, int Columns)? GetWindowSize(int fd) =>
        ioctl(fd, TIOCGWINSZ, out var size) == 0 && size.Rows > 0 && size.Columns > 0 ? (size.Rows, size.Columns) : null;

    /// <summary>Waits up to <paramref name="timeoutMilliseconds"/> for input; true when a read will not block.</summary>
    public static bool WaitReadable(int fd, int timeoutMilliseconds)
    {
        var poll = new PollFd { Fd = fd, Events = POLLIN };
        var ready = PollOne(ref poll, 1, timeoutMilliseconds);
        if (ready < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == EINTR ? false : throw new IOException($"poll fd {fd}: errno {errno}");
        }
        return ready > 0;
    }

    /// <summary>One read(2); 0 at end of input.</summary>
    public static int Read(int fd, Span<byte> buffer)
    {
        while (true)
        {
            var n = ReadBytes(fd, ref MemoryMarshal.GetReference(buffer), (nuint)buffer.Length);
            if (n >= 0)
            {
                return (int)n;
            }
            var errno = Marshal.GetLastPInvokeError();
            if (errno != EINTR)
            {
                throw new IOException($"read fd {fd}: errno {errno}");
            }
        }
    }

    private static IOException Failure(string call, int fd) => new($"{call} on fd {fd}: errno {Marshal.GetLastPInvokeError()}");

    [LibraryImport("libc", SetLastError = true)]
    private static partial int isatty(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int tcgetattr(int fd, out Termios termios);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int tcsetattr(int fd, int optionalActions, in Termios termios);

    [LibraryImport("libc", SetLastError = true)]
    private static partial void cfmakeraw(ref Termios termios);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int ioctl(int fd, nuint request, out WindowSize size);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int PollOne(ref PollFd fds, nuint count, int timeout);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint ReadBytes(int fd, ref byte buffer, nuint count);
}
