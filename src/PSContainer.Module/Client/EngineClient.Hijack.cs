using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PSContainer.Module.Client;

public sealed partial class EngineClient
{
    /// <summary>
    /// Sends one request on a fresh connection with <c>Connection: Upgrade</c>, <c>Upgrade: tcp</c>
    /// and takes the socket over when the engine answers 101 (or 200, as engines before API 1.24
    /// did). HttpClient cannot half-close a connection, and stdin needs that, so this request is
    /// written by hand; the response head is read byte by byte so no stream data is consumed.
    /// </summary>
    public async Task<HijackedConnection> HijackAsync(
        string pathAndQuery, byte[]? jsonBody, bool tty, EngineResource resource, string? target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pathAndQuery);
        var version = await NegotiateAsync(cancellationToken).ConfigureAwait(false);
        Socket socket;
        try
        {
            socket = await UnixSocketConnector.ConnectAsync(Endpoint, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw Unavailable(e);
        }
        try
        {
            var head = new StringBuilder()
                .Append(CultureInfo.InvariantCulture, $"POST /v{version}{pathAndQuery} HTTP/1.1\r\n")
                .Append("Host: docker\r\nUser-Agent: PSContainer/0.1\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n");
            if (jsonBody is not null)
            {
                head.Append(CultureInfo.InvariantCulture, $"Content-Type: application/json\r\nContent-Length: {jsonBody.Length}\r\n");
            }
            else
            {
                head.Append("Content-Length: 0\r\n");
            }
            head.Append("\r\n");
            await socket.SendAsync(Encoding.ASCII.GetBytes(head.ToString()), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (jsonBody is not null)
            {
                await socket.SendAsync(jsonBody, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
            var (status, headers) = await ReadResponseHeadAsync(socket, cancellationToken).ConfigureAwait(false);
            if (status is HttpStatusCode.SwitchingProtocols or HttpStatusCode.OK)
            {
                return new HijackedConnection(socket, tty);
            }
            var body = await ReadErrorBodyAsync(socket, headers, cancellationToken).ConfigureAwait(false);
            throw EngineErrorMapper.ToException(status, ErrorMessage(body), resource, target);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<(HttpStatusCode Status, Dictionary<string, string> Headers)> ReadResponseHeadAsync(
        Socket socket, CancellationToken cancellationToken)
    {
        var bytes = new List<byte>(256);
        var one = new byte[1];
        while (bytes.Count < 4 || !(bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n'))
        {
            if (bytes.Count > 64 * 1024)
            {
                throw new EngineException(EngineErrorKind.EngineError, "The engine's response head is longer than 64 KiB.");
            }
            var n = await socket.ReceiveAsync(one, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw new EngineException(EngineErrorKind.EngineError, "The engine closed the connection before answering.");
            }
            bytes.Add(one[0]);
        }
        var lines = Encoding.ASCII.GetString(bytes.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var statusParts = lines[0].Split(' ', 3);
        if (statusParts.Length < 2 || !statusParts[0].StartsWith("HTTP/1.", StringComparison.Ordinal)
            || !int.TryParse(statusParts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            throw new EngineException(EngineErrorKind.EngineError, $"The engine answered with an unreadable status line '{lines[0]}'.");
        }
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }
        return ((HttpStatusCode)code, headers);
    }

    private static async Task<string> ReadErrorBodyAsync(Socket socket, Dictionary<string, string> headers, CancellationToken cancellationToken)
    {
        using var stream = new NetworkStream(socket, ownsSocket: false);
        var limit = headers.TryGetValue("Content-Length", out var length)
            && int.TryParse(length, NumberStyles.None, CultureInfo.InvariantCulture, out var declared)
            ? Math.Min(declared, 64 * 1024)
            : 64 * 1024;
        var buffer = new byte[limit];
        var filled = 0;
        while (filled < limit)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }
            filled += n;
        }
        var text = Encoding.UTF8.GetString(buffer, 0, filled);
        if (headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            // Good enough for an error message: drop the chunk-size lines around the JSON.
            var start = text.IndexOf('{', StringComparison.Ordinal);
            var end = text.LastIndexOf('}');
            text = start >= 0 && end > start ? text[start..(end + 1)] : text;
        }
        return text;
    }
}
