using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace PSContainer.Engine.Api.Http;

/// <summary>
/// Writes the response of one request: a whole body with Content-Length, a chunked stream, or a
/// hijacked raw connection. Exactly one of these per request.
/// </summary>
public sealed class HttpResponse
{
    private readonly ConnectionStream _connection;
    private readonly bool _isHead;
    private ChunkedWriteStream? _chunked;

    internal HttpResponse(ConnectionStream connection, bool isHead)
    {
        _connection = connection;
        _isHead = isHead;
    }

    public bool Started { get; private set; }

    public int StatusCode { get; private set; }

    /// <summary>Extra headers for the next Start/Write call (API-Version, Docker-Experimental, ...).</summary>
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>True when the connection cannot carry another request (hijacked or ended without framing).</summary>
    internal bool ConnectionSpent { get; private set; }

    internal bool Complete => Started && (_chunked is null || _chunked.Completed);

    public Task WriteJsonAsync<T>(int status, T value, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default) =>
        WriteBytesAsync(status, "application/json", JsonSerializer.SerializeToUtf8Bytes(value, typeInfo), cancellationToken);

    public Task WriteTextAsync(int status, string text, string contentType = "text/plain; charset=utf-8", CancellationToken cancellationToken = default) =>
        WriteBytesAsync(status, contentType, Encoding.UTF8.GetBytes(text), cancellationToken);

    /// <summary>A response with no body (204, 304, or 200 with Content-Length: 0).</summary>
    public Task WriteEmptyAsync(int status, CancellationToken cancellationToken = default) =>
        WriteBytesAsync(status, null, ReadOnlyMemory<byte>.Empty, cancellationToken);

    public async Task WriteBytesAsync(int status, string? contentType, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        var head = new StringBuilder();
        StartHead(head, status);
        if (contentType is not null)
        {
            head.Append("Content-Type: ").Append(contentType).Append("\r\n");
        }
        if (status is not (204 or 304) && !(status >= 100 && status < 200))
        {
            head.Append("Content-Length: ").Append(body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        }
        head.Append("\r\n");
        var headBytes = Encoding.ASCII.GetBytes(head.ToString());
        var sendBody = !_isHead && status is not (204 or 304);
        var frame = new byte[headBytes.Length + (sendBody ? body.Length : 0)];
        headBytes.CopyTo(frame, 0);
        if (sendBody)
        {
            body.CopyTo(frame.AsMemory(headBytes.Length));
        }
        await _connection.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts a chunked response; every write to the returned stream reaches the client at once.</summary>
    public async Task<Stream> StartChunkedAsync(int status, string contentType, CancellationToken cancellationToken = default)
    {
        var head = new StringBuilder();
        StartHead(head, status);
        head.Append("Content-Type: ").Append(contentType).Append("\r\n");
        if (_isHead)
        {
            head.Append("Content-Length: 0\r\n\r\n");
            await _connection.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), cancellationToken).ConfigureAwait(false);
            return Stream.Null;
        }
        head.Append("Transfer-Encoding: chunked\r\n\r\n");
        await _connection.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), cancellationToken).ConfigureAwait(false);
        _chunked = new ChunkedWriteStream(_connection);
        return _chunked;
    }

    /// <summary>Ends a chunked response started by <see cref="StartChunkedAsync"/>.</summary>
    internal async Task FinishAsync(CancellationToken cancellationToken)
    {
        if (_chunked is not null && !_chunked.Completed)
        {
            await _chunked.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Takes over the connection for a raw bidirectional stream (attach, exec start). When the
    /// client asked for an upgrade the answer is 101 with Upgrade: tcp, otherwise 200; either way
    /// the connection is not reused for HTTP afterwards.
    /// </summary>
    public async Task<HijackedConnection> HijackAsync(bool upgrade, string contentType, CancellationToken cancellationToken = default)
    {
        var head = new StringBuilder();
        if (upgrade)
        {
            StartHead(head, 101, "UPGRADED");
            head.Append("Connection: Upgrade\r\nUpgrade: tcp\r\n");
        }
        else
        {
            StartHead(head, 200);
        }
        head.Append("Content-Type: ").Append(contentType).Append("\r\n\r\n");
        await _connection.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), cancellationToken).ConfigureAwait(false);
        ConnectionSpent = true;
        return new HijackedConnection(_connection);
    }

    private void StartHead(StringBuilder head, int status, string? reason = null)
    {
        if (Started)
        {
            throw new InvalidOperationException("the response was already started");
        }
        Started = true;
        StatusCode = status;
        head.Append("HTTP/1.1 ").Append(status.ToString(CultureInfo.InvariantCulture)).Append(' ')
            .Append(reason ?? ReasonPhrase(status)).Append("\r\n");
        head.Append("Server: psc-engine\r\n");
        head.Append("Date: ").Append(DateTime.UtcNow.ToString("R", CultureInfo.InvariantCulture)).Append("\r\n");
        foreach (var (name, value) in Headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }
    }

    internal static string ReasonPhrase(int status) => status switch
    {
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "Status",
    };
}

/// <summary>A connection taken over for raw streaming: read what the client sends, write output, half-close.</summary>
public sealed class HijackedConnection
{
    private readonly ConnectionStream _connection;

    internal HijackedConnection(ConnectionStream connection) => _connection = connection;

    /// <summary>Both directions of the raw stream (reads include bytes that arrived with the request).</summary>
    public Stream Stream => _connection;

    /// <summary>Tells the client that no more output follows while still reading its input.</summary>
    public void CloseOutput() => _connection.ShutdownWrite();
}
