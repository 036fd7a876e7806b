using System.Runtime.InteropServices;
using PSContainer.Module.Client;
using PSContainer.Module.Core;
using PSContainer.Module.Core.Terminal;

namespace PSContainer.Module.Cmdlets;

/// <summary>
/// Connects an interactive session to this process's console, as a native command in the
/// foreground would: with a tty and a real terminal, the terminal goes raw (every byte as typed,
/// Ctrl+C to the container, window-size changes forwarded) and is restored at the end; with
/// redirected input, bytes are passed through in line mode.
/// </summary>
internal static class ConsoleInput
{
    /// <param name="tty">The session has a tty in the container (so raw mode makes sense).</param>
    /// <param name="resize">Tells the engine the terminal's new rows and columns; null when there is no tty.</param>
    public static async Task RunAsync(HijackedConnection connection, bool tty, Func<int, int, Task>? resize, CancellationToken cancellationToken)
    {
        var stdout = Console.OpenStandardOutput();
        var stderr = Console.OpenStandardError();
        if (tty && !Console.IsInputRedirected && RawTerminal.TryEnter(0) is { } raw)
        {
            using (raw)
            using (WatchWindowSize(resize))
            {
                await InteractiveSession.RunAsync(connection, stdout, stderr, token => Task.Run(() => ReadRaw(token), token), cancellationToken)
                    .ConfigureAwait(false);
            }
            return;
        }
        Func<CancellationToken, Task<byte[]?>> read;
        if (Console.IsInputRedirected)
        {
            var stdin = Console.OpenStandardInput();
            var buffer = new byte[4096];
            read = async token =>
            {
                var n = await stdin.ReadAsync(buffer, token).ConfigureAwait(false);
                return n == 0 ? null : buffer[..n];
            };
        }
        else
        {
            // No termios here (not Linux): ReadKey keeps .NET's own non-canonical mode. It cannot be
            // cancelled; the pending read is abandoned with the background task when the output ends.
            read = token => Task.Run(() => (byte[]?)InteractiveSession.Encode(Console.ReadKey(intercept: true)), token);
        }
        await InteractiveSession.RunAsync(connection, stdout, stderr, read, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The terminal's size now (for the first resize), or null when stdout is not a terminal.</summary>
    public static (int Rows, int Columns)? WindowSize() => RawTerminal.WindowSize(1) ?? RawTerminal.WindowSize(0);

    /// <summary>SIGWINCH → the new size to the engine (errors ignored: a wrong size only makes output wrap oddly).</summary>
    private static PosixSignalRegistration? WatchWindowSize(Func<int, int, Task>? resize)
    {
        if (resize is null)
        {
            return null;
        }
        return PosixSignalRegistration.Create(PosixSignal.SIGWINCH, context =>
        {
            if (WindowSize() is { } size)
            {
                resize(size.Rows, size.Columns).ContinueWith(t => t.Exception, TaskScheduler.Default); // observed, so a failure is not unobserved
            }
        });
    }

    /// <summary>The next bytes from the raw terminal; polls so that the end of the session stops the read without eating a key.</summary>
    private static byte[]? ReadRaw(CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (TerminalNative.WaitReadable(0, 100))
            {
                var n = TerminalNative.Read(0, buffer);
                return n == 0 ? null : buffer[..n];
            }
        }
    }
}
