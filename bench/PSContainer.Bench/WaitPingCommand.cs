using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace PSContainer.Bench;

/// <summary>
/// Cold start: bench/run.sh starts this poller first, waits for its ready file (so the poller's
/// own .NET start-up is not inside the measurement), notes the time, starts the daemon, and
/// subtracts. The poller connects to the socket every millisecond and sends GET /_ping; the first
/// "200" is the moment the daemon can serve a client.
/// </summary>
internal static class WaitPingCommand
{
    private static readonly byte[] Request = Encoding.ASCII.GetBytes(
        "GET /_ping HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

    public static async Task<int> RunAsync(Options options)
    {
        var socketPath = options.Required("socket");
        var timeout = TimeSpan.FromSeconds(options.Number("timeout", 60));
        var ready = options.Optional("ready");

        // One attempt before announcing readiness: it loads and JITs the whole polling path.
        await TryPingAsync(socketPath);
        if (ready is not null)
        {
            await File.WriteAllTextAsync(ready, "ready\n");
        }

        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (await TryPingAsync(socketPath))
            {
                Console.WriteLine($"{{\"answered_us\":{UnixMicroseconds()}}}");
                return 0;
            }
            await Task.Delay(1);
        }
        await Console.Error.WriteLineAsync($"psc-bench wait-ping: {socketPath} did not answer /_ping within {timeout.TotalSeconds} s");
        return 1;
    }

    /// <summary>Unix time in microseconds, the unit of bash's $EPOCHREALTIME.</summary>
    public static long UnixMicroseconds() => (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 10;

    private static async Task<bool> TryPingAsync(string socketPath)
    {
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
            await socket.SendAsync(Request, SocketFlags.None);
            var buffer = new byte[64];
            var read = 0;
            while (read < 12)
            {
                var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None);
                if (n == 0)
                {
                    return false;
                }
                read += n;
            }
            // "HTTP/1.1 200" — the status code sits at bytes 9..11 of the status line.
            return buffer[9] == (byte)'2' && buffer[10] == (byte)'0' && buffer[11] == (byte)'0';
        }
        catch (SocketException)
        {
            return false; // not there yet, or refused while the daemon sets up
        }
    }
}
