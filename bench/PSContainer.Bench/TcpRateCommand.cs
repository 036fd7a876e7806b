using System.Net.Sockets;
using System.Text;

namespace PSContainer.Bench;

/// <summary>
/// Request rate through a published port: each request is a new TCP connection with one HTTP/1.0
/// GET read to the end (busybox httpd closes after every response), so the figure includes the
/// engine's port forwarding path (a proxy process or NAT rules) for every connection.
/// </summary>
internal static class TcpRateCommand
{
    public static async Task<int> RunAsync(Options options)
    {
        var url = new Uri(options.Required("url"));
        if (url.Scheme != "http")
        {
            throw new UsageException($"--url must be http://HOST:PORT/PATH, got '{url}'");
        }
        var seconds = options.Number("seconds", 3);
        var connections = (int)options.Number("connections", 4);
        var request = Encoding.ASCII.GetBytes($"GET {url.PathAndQuery} HTTP/1.0\r\nHost: {url.Authority}\r\n\r\n");

        var result = await RateLoop.RunAsync(connections, TimeSpan.FromSeconds(Math.Min(1, seconds / 3)), TimeSpan.FromSeconds(seconds),
            async cancel =>
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(url.Host, url.Port, cancel);
                await socket.SendAsync(request, SocketFlags.None, cancel);
                var buffer = new byte[16384];
                var total = 0;
                int n;
                while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel)) > 0)
                {
                    if (total == 0 && (n < 12 || buffer[9] != (byte)'2'))
                    {
                        throw new InvalidDataException($"GET {url}: not a 2xx response: {Encoding.ASCII.GetString(buffer, 0, Math.Min(n, 40))}");
                    }
                    total += n;
                }
                if (total == 0)
                {
                    throw new InvalidDataException($"GET {url}: connection closed without a response");
                }
            });
        Console.WriteLine(result.ToJson());
        return result.Requests > 0 ? 0 : 1;
    }
}
