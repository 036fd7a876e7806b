using System.Runtime.InteropServices;

namespace PSContainer.Module.Core.Terminal;

/// <summary>
/// A terminal in raw mode for an interactive tty session (what docker does with its console):
/// every key goes to the container as typed, Ctrl+C included, and the container's tty does the
/// echo and line editing. The saved mode comes back on Dispose — also when the pipeline is
/// stopped — and when the process gets SIGTERM, SIGHUP or SIGQUIT.
/// </summary>
public sealed class RawTerminal : IDisposable
{
    private readonly int _fd;
    private readonly TerminalNative.Termios _saved;
    private readonly List<PosixSignalRegistration> _signals = [];
    private int _restored;

    private RawTerminal(int fd, TerminalNative.Termios saved)
    {
        _fd = fd;
        _saved = saved;
    }

    /// <summary>Puts <paramref name="fd"/> (0 = stdin) in raw mode; null when it is not a terminal (redirected input).</summary>
    public static RawTerminal? TryEnter(int fd = 0)
    {
        if (!OperatingSystem.IsLinux() || !TerminalNative.IsTerminal(fd))
        {
            return null;
        }
        var saved = TerminalNative.GetAttributes(fd);
        var terminal = new RawTerminal(fd, saved);
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT })
        {
            // Restore, then let the signal take its default course.
            terminal._signals.Add(PosixSignalRegistration.Create(signal, _ => terminal.Restore()));
        }
        TerminalNative.SetAttributes(fd, TerminalNative.MakeRaw(saved));
        return terminal;
    }

    /// <summary>True when <paramref name="fd"/> is a terminal in canonical (line) mode.</summary>
    public static bool IsLineMode(int fd) => (TerminalNative.GetAttributes(fd).LocalFlags & 0x2u /* ICANON */) != 0;

    /// <summary>The terminal's rows and columns, or null when <paramref name="fd"/> is not a terminal.</summary>
    public static (int Rows, int Columns)? WindowSize(int fd) => TerminalNative.GetWindowSize(fd);

    private void Restore()
    {
        if (Interlocked.Exchange(ref _restored, 1) == 0)
        {
            TerminalNative.SetAttributes(_fd, _saved);
        }
    }

    public void Dispose()
    {
        foreach (var registration in _signals)
        {
            registration.Dispose();
        }
        Restore();
    }
}
