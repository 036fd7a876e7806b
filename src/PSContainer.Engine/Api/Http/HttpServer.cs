using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace PSContainer.Engine.Api.Http;

/// <summary>
/// A small HTTP/1.1 server on a Unix socket, written for the Docker Engine API's needs: keep-alive,
/// Content-Length and chunked bodies both ways, and hijacked connections. Hand-written because
/// Docker's exec start sends a JSON body on a "Connection: Upgrade" request, which Kestrel rejects
/// (an upgrade request may not carry a body there), and because a lean server starts faster and
/// idles in less memory than the ASP.NET Core stack.
/// </summary>
public sealed class HttpServer(RequestHandler dispatch, ILogger logger) : IAsyncDisposable
{
    private const int MaxHeaderLine = 64 * 1024;
    private const int MaxHeaders = 200;

    private readonly List<Task> _connections = [];
    private readonly CancellationTokenSource _stopping = new();
    private Socket? _listener;

    /// <summary>Binds and listens; the caller has made sure no other engine owns the path.</summary>
    public void Listen(string socketPath)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(socketPath));
            socket.Listen(512);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        _listener = socket;
    }

    /// <summary>Accepts connections until <paramref name="cancellationToken"/> fires or the server is disposed.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var listener = _listener ?? throw new InvalidOperationException("Listen first");
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        while (!linked.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            var task = ServeConnectionAsync(client, linked.Token);
            lock (_connections)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(task);
            }
        }
    }

    private async Task ServeConnectionAsync(Socket client, CancellationToken cancellationToken)
    {
        await Task.Yield();
        using var connection = new ConnectionStream(client);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var request = await ReadRequestAsync(connection, cancellationToken).ConfigureAwait(false);
                if (request is null)
                {
                    return;
                }
                var response = new HttpResponse(connection, request.IsHead);
                var watch = Stopwatch.StartNew();
                await dispatch(request, response, cancellationToken).ConfigureAwait(false);
                if (logger.IsEnabled(LogLevel.Debug))
                {
                    logger.LogDebug("{Method} {Target} {Status} {Elapsed:F1}ms", request.Method, request.Target, response.StatusCode, watch.Elapsed.TotalMilliseconds);
                }
                if (response.ConnectionSpent)
                {
                    return;
                }
                if (!response.Started)
                {
                    await response.WriteTextAsync(500, "handler wrote no response\n", cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                await response.FinishAsync(cancellationToken).ConfigureAwait(false);
                if (!KeepAlive(request))
                {
                    return;
                }
                await ((ReadOnlyForwardStream)request.Body).DrainAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (BadRequestException e)
        {
            await TryWriteAsync(connection, 400, e.Message).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away or the engine is stopping: nothing to answer.
            logger.LogTrace(e, "connection ended");
        }
    }

    private static bool KeepAlive(HttpRequest request) =>
        !(request.Headers.TryGetValue("Connection", out var value) && value.Contains("close", StringComparison.OrdinalIgnoreCase));

    private static async Task<HttpRequest?> ReadRequestAsync(ConnectionStream connection, CancellationToken cancellationToken)
    {
        string? line;
        do
        {
            line = await connection.ReadLineAsync(MaxHeaderLine, cancellationToken).ConfigureAwait(false);
            if (line is null)
            {
                return null;
            }
        }
        while (line.Length == 0);

        var parts = line.Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            throw new BadRequestException($"malformed request line \"{line}\"");
        }
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var count = 0; ; count++)
        {
            var header = await connection.ReadLineAsync(MaxHeaderLine, cancellationToken).ConfigureAwait(false)
                ?? throw new BadRequestException("connection closed inside the request headers");
            if (header.Length == 0)
            {
                break;
            }
            if (count >= MaxHeaders)
            {
                throw new BadRequestException($"more than {MaxHeaders} request headers");
            }
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new BadRequestException($"malformed header line \"{header}\"");
            }
            var name = header[..colon].Trim();
            var value = header[(colon + 1)..].Trim();
            headers[name] = headers.TryGetValue(name, out var existing) ? existing + ", " + value : value;
        }

        ReadOnlyForwardStream body;
        if (headers.TryGetValue("Transfer-Encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = new ChunkedReadStream(connection);
        }
        else if (headers.TryGetValue("Content-Length", out var cl))
        {
            if (!long.TryParse(cl, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
            {
                throw new BadRequestException($"invalid Content-Length \"{cl}\"");
            }
            body = new ContentLengthStream(connection, length);
        }
        else
        {
            body = new ContentLengthStream(connection, 0);
        }
        if (headers.TryGetValue("Expect", out var expect) && expect.Equals("100-continue", StringComparison.OrdinalIgnoreCase))
        {
            await connection.WriteAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        }

        var target = parts[1];
        var question = target.IndexOf('?', StringComparison.Ordinal);
        var rawPath = question < 0 ? target : target[..question];
        var query = ParseQuery(question < 0 ? "" : target[(question + 1)..]);
        return new HttpRequest(parts[0], target, DecodePath(rawPath), query, headers, body);
    }

    /// <summary>Decodes %XX in each segment but keeps an encoded "/" inside a segment as a separator-free value.</summary>
    private static string DecodePath(string rawPath) =>
        string.Join('/', rawPath.Split('/').Select(Uri.UnescapeDataString));

    internal static Dictionary<string, List<string>> ParseQuery(string query)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Unescape(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? "" : Unescape(pair[(eq + 1)..]);
            if (!result.TryGetValue(name, out var list))
            {
                result[name] = list = [];
            }
            list.Add(value);
        }
        return result;
    }

    private static string Unescape(string s) => Uri.UnescapeDataString(s.Replace('+', ' '));

    private static async Task TryWriteAsync(ConnectionStream connection, int status, string message)
    {
        try
        {
            var body = Encoding.UTF8.GetBytes(message + "\n");
            var head = $"HTTP/1.1 {status} {HttpResponse.ReasonPhrase(status)}\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
            await connection.WriteAsync(Encoding.ASCII.GetBytes(head).Concat(body).ToArray()).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // Nobody left to tell.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        Task[] pending;
        lock (_connections)
        {
            pending = [.. _connections];
        }
        await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }
}
