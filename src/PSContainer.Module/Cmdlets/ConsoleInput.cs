using PSContainer.Module.Client;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>
/// Connects an interactive session to this process's console: keys (or redirected stdin bytes)
/// in, output straight to the console's stdout/stderr, as a native command in the foreground would.
/// </summary>
internal static class ConsoleInput
{
    public static Task RunAsync(HijackedConnection connection, CancellationToken cancellationToken)
    {
        var stdout = Console.OpenStandardOutput();
        var stderr = Console.OpenStandardError();
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
            // ReadKey cannot be cancelled; the session ends when the container's output ends and
            // the pending read is abandoned with the background task.
            read = token => Task.Run(() => (byte[]?)InteractiveSession.Encode(Console.ReadKey(intercept: true)), token);
        }
        return InteractiveSession.RunAsync(connection, stdout, stderr, read, cancellationToken);
    }
}
