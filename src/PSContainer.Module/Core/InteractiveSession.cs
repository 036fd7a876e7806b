using System.Text;
using PSContainer.Module.Client;

namespace PSContainer.Module.Core;

/// <summary>
/// An interactive session on a hijacked connection (Enter-ContainerSession, -Interactive): keys
/// from the console go to the container's stdin, its output goes to the console, until the
/// process ends. Keys are read with Console.ReadKey so .NET keeps the terminal in its own
/// non-canonical mode; special keys are sent as the VT sequences a tty program expects.
/// </summary>
public static class InteractiveSession
{
    public static async Task RunAsync(HijackedConnection connection, Stream stdout, Stream stderr, Func<CancellationToken, Task<byte[]?>> readInput, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(readInput);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pump = Task.Run(async () =>
        {
            try
            {
                while (!stop.IsCancellationRequested && await readInput(stop.Token).ConfigureAwait(false) is { } bytes)
                {
                    await connection.WriteInputAsync(bytes, stop.Token).ConfigureAwait(false);
                }
                connection.CloseInput();
            }
            catch (OperationCanceledException)
            {
                // The output ended first; nothing more to send.
            }
            catch (IOException)
            {
                // The container closed its side.
            }
        }, CancellationToken.None);
        try
        {
            while (await connection.Output.ReadAsync(cancellationToken).ConfigureAwait(false) is { } chunk)
            {
                var target = chunk.Stream == OutputStream.StdErr ? stderr : stdout;
                await target.WriteAsync(chunk.Data, cancellationToken).ConfigureAwait(false);
                await target.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
        }
        await Task.WhenAny(pump, Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None)).ConfigureAwait(false);
    }

    /// <summary>The bytes a terminal sends for a key.</summary>
    public static byte[] Encode(ConsoleKeyInfo key)
    {
        var sequence = key.Key switch
        {
            ConsoleKey.UpArrow => "\u001b[A",
            ConsoleKey.DownArrow => "\u001b[B",
            ConsoleKey.RightArrow => "\u001b[C",
            ConsoleKey.LeftArrow => "\u001b[D",
            ConsoleKey.Home => "\u001b[H",
            ConsoleKey.End => "\u001b[F",
            ConsoleKey.Delete => "\u001b[3~",
            ConsoleKey.PageUp => "\u001b[5~",
            ConsoleKey.PageDown => "\u001b[6~",
            ConsoleKey.Enter => "\r",
            ConsoleKey.Backspace => "\u007f",
            _ => null,
        };
        if (sequence is not null)
        {
            return Encoding.ASCII.GetBytes(sequence);
        }
        if ((key.Modifiers & ConsoleModifiers.Control) != 0 && key.Key is >= ConsoleKey.A and <= ConsoleKey.Z)
        {
            return [(byte)(key.Key - ConsoleKey.A + 1)];
        }
        return key.KeyChar == '\0' ? [] : Encoding.UTF8.GetBytes(key.KeyChar.ToString());
    }
}
