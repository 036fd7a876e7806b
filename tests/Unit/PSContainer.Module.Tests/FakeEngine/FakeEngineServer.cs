using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using PSContainer.Module.Client;

namespace PSContainer.Module.Tests.FakeEngine;

/// <summary>
/// A small HTTP/1.1 server on a temporary Unix socket that answers like the Docker Engine API:
/// versioned paths, /_ping with API-Version, JSON bodies, streamed bodies, and hijacked
/// connections after "101 UPGRADED". Tests register handlers per route and read back the
/// requests it received, so the real client is tested over a real socket.
/// </summary>
public sealed partial class FakeEngineServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(string Method, Regex Path, Func<FakeRequest, Match, FakeResponse> Handler)> _routes = [];
    private readonly ConcurrentQueue<FakeRequest> _requests = new();
    private readonly List<Task> _connections = [];
    private readonly Task _acceptLoop;
    private readonly string _directory;

    public FakeEngineServer(string? apiVersion = "1.43")
    {
        ApiVersion = apiVersion;
        _directory = Directory.CreateTempSubdirectory("psc-fake-engine-").FullName;
        SocketPath = System.IO.Path.Combine(_directory, "engine.sock");
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen(16);
        Map("GET", "/_ping", _ => FakeResponse.Text("OK"));
        _acceptLoop = AcceptLoopAsync();
    }

    public string SocketPath { get; }

    /// <summary>What /_ping announces; null sends no API-Version header (as engines before 1.25).</summary>
    public string? ApiVersion { get; set; }

    public EngineEndpoint Endpoint => EngineEndpoint.Parse("unix://" + SocketPath);

    public IReadOnlyList<FakeRequest> Requests => _requests.ToArray();

    public EngineClient CreateClient() => new(Endpoint);

    /// <summary>Registers a handler; <paramref name="pathPattern"/> is a regex matched against the whole unversioned path.</summary>
    public FakeEngineServer Map(string method, string pathPattern, Func<FakeRequest, FakeResponse> handler) =>
        Map(method, pathPattern, (request, _) => handler(request));

    public FakeEngineServer Map(string method, string pathPattern, Func<FakeRequest, Match, FakeResponse> handler)
    {
        lock (_routes)
        {
            // Later registrations win, so a test can override a default route.
            _routes.Insert(0, (method, new Regex("^" + pathPattern + "$", RegexOptions.CultureInvariant), handler));
        }
        return this;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            lock (_connections)
            {
                _connections.Add(ServeAsync(client));
            }
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var request = await ReadRequestAsync(stream, _stop.Token);
                if (request is null)
                {
                    return;
                }
                _requests.Enqueue(request);
                var response = Dispatch(request);
                if (!await WriteResponseAsync(socket, stream, request, response))
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away or the server is stopping.
        }
    }

    private FakeResponse Dispatch(FakeRequest request)
    {
        lock (_routes)
        {
            foreach (var (method, path, handler) in _routes)
            {
                var match = path.Match(request.Path);
                if (method == request.Method && match.Success)
                {
                    return handler(request, match);
                }
            }
        }
        return FakeResponse.Error(HttpStatusCode.NotFound, "page not found");
    }

    /// <summary>Writes the response; false when the connection must close afterwards.</summary>
    private async Task<bool> WriteResponseAsync(Socket socket, NetworkStream stream, FakeRequest request, FakeResponse response)
    {
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {(int)response.Status} {(response.Status == HttpStatusCode.SwitchingProtocols ? "UPGRADED" : response.Status.ToString())}\r\n")
            .Append("Server: fake-engine\r\n");
        if (ApiVersion is not null)
        {
            head.Append(CultureInfo.InvariantCulture, $"API-Version: {ApiVersion}\r\n");
        }
        head.Append("OSType: linux\r\n");
        foreach (var (name, value) in response.Headers)
        {
            head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }
        if (response.Hijacker is not null)
        {
            head.Append("Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n");
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), _stop.Token);
            await response.Hijacker(socket, stream, _stop.Token);
            return false;
        }
        head.Append(CultureInfo.InvariantCulture, $"Content-Type: {response.ContentType}\r\n");
        if (response.Streamer is not null)
        {
            head.Append(response.Chunked ? "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" : "Connection: close\r\n\r\n");
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), _stop.Token);
            if (response.Chunked)
            {
                using var buffer = new MemoryStream();
                await response.Streamer(buffer, _stop.Token);
                // Two chunks with an extension on the first, so the client's decoder is exercised.
                var bytes = buffer.ToArray();
                var half = bytes.Length / 2;
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"{half:x};ext=1\r\n"), _stop.Token);
                await stream.WriteAsync(bytes.AsMemory(0, half), _stop.Token);
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"\r\n{bytes.Length - half:x}\r\n"), _stop.Token);
                await stream.WriteAsync(bytes.AsMemory(half), _stop.Token);
                await stream.WriteAsync("\r\n0\r\n\r\n"u8.ToArray(), _stop.Token);
            }
            else
            {
                await response.Streamer(stream, _stop.Token);
            }
            await stream.FlushAsync(_stop.Token);
            socket.Shutdown(SocketShutdown.Send);
            return false;
        }
        var noBody = response.Status is HttpStatusCode.NoContent or HttpStatusCode.NotModified;
        if (!noBody)
        {
            head.Append(CultureInfo.InvariantCulture, $"Content-Length: {response.Body.Length}\r\n");
        }
        head.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), _stop.Token);
        if (!noBody)
        {
            await stream.WriteAsync(response.Body, _stop.Token);
        }
        return !request.Headers.TryGetValue("Connection", out var connection) || !connection.Equals("close", StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<FakeRequest?> ReadRequestAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var head = await ReadHeadAsync(stream, cancellationToken);
        if (head is null)
        {
            return null;
        }
        var lines = head.Split("\r\n");
        var parts = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        byte[] body;
        if (headers.TryGetValue("Content-Length", out var length))
        {
            body = new byte[int.Parse(length, CultureInfo.InvariantCulture)];
            await stream.ReadExactlyAsync(body, cancellationToken);
        }
        else if (headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = await ReadChunkedAsync(stream, cancellationToken);
        }
        else
        {
            body = [];
        }
        var target = parts[1];
        var question = target.IndexOf('?', StringComparison.Ordinal);
        var rawPath = question < 0 ? target : target[..question];
        var query = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (question >= 0)
        {
            foreach (var pair in target[(question + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
                var value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' '));
                if (!query.TryGetValue(key, out var list))
                {
                    query[key] = list = [];
                }
                list.Add(value);
            }
        }
        var versioned = VersionPrefix().Match(rawPath);
        return new FakeRequest
        {
            Method = parts[0],
            RawTarget = target,
            ApiVersion = versioned.Success ? versioned.Groups[1].Value : null,
            Path = Uri.UnescapeDataString(versioned.Success ? rawPath[versioned.Length..] : rawPath),
            Query = query,
            Headers = headers,
            Body = body,
        };
    }

    private static async Task<string?> ReadHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (bytes.Count < 4 || !(bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n'))
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                return null;
            }
            bytes.Add(one[0]);
        }
        return Encoding.ASCII.GetString(bytes.ToArray(), 0, bytes.Count - 4);
    }

    private static async Task<byte[]> ReadChunkedAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        while (true)
        {
            var sizeLine = await ReadLineAsync(stream, cancellationToken);
            var size = int.Parse(sizeLine.Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                await ReadLineAsync(stream, cancellationToken);
                return body.ToArray();
            }
            var chunk = new byte[size];
            await stream.ReadExactlyAsync(chunk, cancellationToken);
            body.Write(chunk);
            await ReadLineAsync(stream, cancellationToken);
        }
    }

    private static async Task<string> ReadLineAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (!(bytes.Count >= 2 && bytes[^2] == '\r' && bytes[^1] == '\n'))
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                throw new IOException("connection closed inside a chunked body");
            }
            bytes.Add(one[0]);
        }
        return Encoding.ASCII.GetString(bytes.ToArray(), 0, bytes.Count - 2);
    }

    [GeneratedRegex(@"^/v(\d+\.\d+)(?=/)")]
    private static partial Regex VersionPrefix();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _acceptLoop;
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }
        await Task.WhenAll(connections);
        _stop.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
