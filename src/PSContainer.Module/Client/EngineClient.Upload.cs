using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PSContainer.Module.Client;

public sealed partial class EngineClient
{
    /// <summary>
    /// Sends a request with a large body (an image archive, a build context, a tar to unpack) on a
    /// connection of its own, writing the body while it reads the answer. Engines answer these
    /// with a progress stream before the body has arrived, as dockerd does; HttpClient stops
    /// sending a body once the answer has begun, which cuts the upload short, so these requests
    /// are written by hand like the hijacked ones. The body goes in chunked transfer coding, as
    /// the docker CLI sends it: any stream can be sent without knowing its length first.
    /// </summary>
    public async Task<UploadResponse> UploadAsync(
        HttpMethod method, string pathAndQuery, Stream body, string contentType, IReadOnlyDictionary<string, string>? headers,
        EngineResource resource, string? target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(body);
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
        var uploadCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task upload = Task.CompletedTask;
        UploadResponse? response = null;
        try
        {
            var stream = new NetworkStream(socket, ownsSocket: false);
            var head = new StringBuilder()
                .Append(CultureInfo.InvariantCulture, $"{method.Method} /v{version}{pathAndQuery} HTTP/1.1\r\n")
                .Append("Host: docker\r\nUser-Agent: PSContainer/0.1\r\nConnection: close\r\n")
                .Append(CultureInfo.InvariantCulture, $"Content-Type: {contentType}\r\nTransfer-Encoding: chunked\r\n");
            foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            {
                head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
            }
            head.Append("\r\n");
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), cancellationToken).ConfigureAwait(false);
            upload = Task.Run(() => SendChunkedAsync(body, stream, uploadCancel.Token), CancellationToken.None);
            var (status, responseHeaders) = await ReadResponseHeadAsync(socket, cancellationToken).ConfigureAwait(false);
            Stream responseBody = responseHeaders.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase)
                ? new ChunkedReadStream(stream)
                : stream;
            response = new UploadResponse(status, responseBody, socket, upload, uploadCancel);
            if ((int)status >= 400)
            {
                await using (response.ConfigureAwait(false))
                {
                    using var reader = new StreamReader(responseBody, Encoding.UTF8);
                    var text = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
                    throw EngineErrorMapper.ToException(status, ErrorMessage(text), resource, target);
                }
            }
            return response;
        }
        catch (Exception e) when (response is null)
        {
            await uploadCancel.CancelAsync().ConfigureAwait(false);
            socket.Dispose();
            uploadCancel.Dispose();
            if (e is SocketException or IOException)
            {
                throw new EngineException(EngineErrorKind.EngineError, $"The connection to the engine broke during {method.Method} {pathAndQuery}: {e.Message}", null, e);
            }
            throw;
        }
    }

    private static async Task SendChunkedAsync(Stream body, Stream connection, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            await connection.WriteAsync(Encoding.ASCII.GetBytes(n.ToString("x", CultureInfo.InvariantCulture) + "\r\n"), cancellationToken).ConfigureAwait(false);
            await connection.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            await connection.WriteAsync("\r\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        }
        await connection.WriteAsync("0\r\n\r\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        await connection.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
