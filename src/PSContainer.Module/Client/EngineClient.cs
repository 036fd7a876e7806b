using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace PSContainer.Module.Client;

/// <summary>
/// A Docker Engine API client over HTTP/1.1 on a Unix socket (or TCP). It negotiates the API
/// version once through <c>/_ping</c>, sends versioned paths, and turns error answers into
/// <see cref="EngineException"/>s with stable kinds. Every call takes a cancellation token:
/// the cmdlets cancel it from StopProcessing (Ctrl+C).
/// </summary>
public sealed partial class EngineClient : IDisposable
{
    /// <summary>The newest API version this client speaks.</summary>
    public const string ClientApiVersion = "1.43";

    /// <summary>The oldest engine API version this client accepts.</summary>
    public const string MinimumApiVersion = "1.24";

    private readonly HttpClient _http;
    private readonly SemaphoreSlim _negotiation = new(1, 1);

    public EngineClient(EngineEndpoint endpoint, TimeSpan? connectTimeout = null)
    {
        Endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = connectTimeout ?? TimeSpan.FromSeconds(10),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            UseProxy = false,
            AllowAutoRedirect = false,
            ConnectCallback = async (_, token) =>
                new NetworkStream(await UnixSocketConnector.ConnectAsync(endpoint, token).ConfigureAwait(false), ownsSocket: true),
        };
        _http = new HttpClient(handler, disposeHandler: true)
        {
            // The host name is not used to connect (ConnectCallback does); Docker's own clients send "docker".
            BaseAddress = new Uri("http://docker/"),
            // Streams (logs -Follow, events, pulls) run as long as the user wants; cancellation ends them.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("PSContainer", "0.1"));
    }

    public EngineEndpoint Endpoint { get; }

    /// <summary>The negotiated API version, once a request has been made.</summary>
    public string? ApiVersion { get; private set; }

    /// <summary>What the engine's /_ping answered (its API version and OS type headers).</summary>
    public PingResult? LastPing { get; private set; }

    /// <summary>Pings the engine and settles on min(engine's version, <see cref="ClientApiVersion"/>).</summary>
    public async Task<string> NegotiateAsync(CancellationToken cancellationToken)
    {
        if (ApiVersion is not null)
        {
            return ApiVersion;
        }
        await _negotiation.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (ApiVersion is not null)
            {
                return ApiVersion;
            }
            var ping = await PingAsync(cancellationToken).ConfigureAwait(false);
            var chosen = ChooseVersion(ping.ApiVersion);
            ApiVersion = chosen;
            return chosen;
        }
        finally
        {
            _negotiation.Release();
        }
    }

    /// <summary>GET /_ping (unversioned): proves the engine is there and reads its API version.</summary>
    public async Task<PingResult> PingAsync(CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(HttpMethod.Get, "/_ping", null, EngineResource.Engine, null, null,
            HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var ping = new PingResult(
            Header(response, "API-Version"),
            Header(response, "OSType"),
            Header(response, "Server"),
            body.Trim());
        LastPing = ping;
        return ping;
    }

    /// <summary>The version to use given the engine's; an engine older than <see cref="MinimumApiVersion"/> is refused.</summary>
    public static string ChooseVersion(string? engineVersion)
    {
        if (string.IsNullOrEmpty(engineVersion))
        {
            // Engines before API 1.25 did not send the header; the oldest version we speak is the safe choice.
            return MinimumApiVersion;
        }
        if (!Version.TryParse(engineVersion, out var engine))
        {
            throw new EngineException(EngineErrorKind.EngineError, $"The engine announced an unreadable API version '{engineVersion}'.");
        }
        if (engine < Version.Parse(MinimumApiVersion))
        {
            throw new EngineException(EngineErrorKind.ApiVersionUnsupported,
                $"The engine speaks API {engineVersion}; PSContainer needs {MinimumApiVersion} or newer.");
        }
        return engine < Version.Parse(ClientApiVersion) ? engineVersion : ClientApiVersion;
    }

    /// <summary>Sends a request to a versioned path and returns the successful response (the caller disposes it).</summary>
    public async Task<HttpResponseMessage> SendAsync(
        HttpMethod method, string pathAndQuery, HttpContent? content, EngineResource resource, string? target,
        CancellationToken cancellationToken, bool streaming = false, IReadOnlyDictionary<string, string>? headers = null)
    {
        var version = await NegotiateAsync(cancellationToken).ConfigureAwait(false);
        return await SendRawAsync(method, "/v" + version + pathAndQuery, content, resource, target, headers,
            streaming ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends and reads a JSON answer.</summary>
    public async Task<T> GetJsonAsync<T>(string pathAndQuery, JsonTypeInfo<T> typeInfo, EngineResource resource, string? target, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, pathAndQuery, null, resource, target, cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync(response, typeInfo, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>POSTs a JSON body (or none) and reads a JSON answer.</summary>
    public async Task<TResponse> PostJsonAsync<TRequest, TResponse>(
        string pathAndQuery, TRequest? body, JsonTypeInfo<TRequest> requestInfo, JsonTypeInfo<TResponse> responseInfo,
        EngineResource resource, string? target, CancellationToken cancellationToken)
    {
        using var content = body is null ? null : JsonBody(body, requestInfo);
        using var response = await SendAsync(HttpMethod.Post, pathAndQuery, content, resource, target, cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync(response, responseInfo, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>POSTs without a body and reads a JSON answer.</summary>
    public async Task<TResponse> PostForJsonAsync<TResponse>(
        string pathAndQuery, JsonTypeInfo<TResponse> responseInfo, EngineResource resource, string? target, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, pathAndQuery, null, resource, target, cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync(response, responseInfo, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a request whose answer carries no data we need; returns the status (204, 200 or 304).</summary>
    public async Task<HttpStatusCode> SendNoContentAsync(
        HttpMethod method, string pathAndQuery, HttpContent? content, EngineResource resource, string? target, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(method, pathAndQuery, content, resource, target, cancellationToken).ConfigureAwait(false);
        return response.StatusCode;
    }

    public static ByteArrayContent JsonBody<T>(T body, JsonTypeInfo<T> typeInfo)
    {
        // A byte array (not a streamed JsonContent) so the request carries Content-Length, as
        // Docker's API expects, rather than chunked encoding.
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, typeInfo));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    public static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonSerializer.Deserialize(bytes, typeInfo)
                ?? throw new EngineException(EngineErrorKind.EngineError, $"The engine answered {response.RequestMessage?.RequestUri?.AbsolutePath} with null.");
        }
        catch (JsonException e)
        {
            throw new EngineException(EngineErrorKind.EngineError,
                $"The engine's answer to {response.RequestMessage?.RequestUri?.AbsolutePath} is not the expected JSON: {e.Message}", null, e);
        }
    }

    private async Task<HttpResponseMessage> SendRawAsync(
        HttpMethod method, string pathAndQuery, HttpContent? content, EngineResource resource, string? target,
        IReadOnlyDictionary<string, string>? headers, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, pathAndQuery.TrimStart('/')) { Content = content };
        if (headers is not null)
        {
            foreach (var (name, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException || e.HttpRequestError == HttpRequestError.ConnectionError)
        {
            throw Unavailable(e);
        }
        if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotModified || response.StatusCode == HttpStatusCode.SwitchingProtocols)
        {
            return response;
        }
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw EngineErrorMapper.ToException(response.StatusCode, ErrorMessage(body), resource, target);
        }
    }

    /// <summary>The "message" of Docker's error body, or the body itself if it is not that JSON.</summary>
    public static string ErrorMessage(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return "";
        }
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("message", out var message)
                && message.ValueKind == JsonValueKind.String)
            {
                return message.GetString() ?? "";
            }
        }
        catch (JsonException)
        {
            // Not JSON: a proxy or an older engine answered in plain text; show it as it is.
        }
        return body.Trim();
    }

    /// <summary>The terminating error for an engine that cannot be reached, saying how to start one.</summary>
    public EngineException Unavailable(Exception cause)
    {
        ArgumentNullException.ThrowIfNull(cause);
        var reason = (cause as SocketException ?? cause.InnerException as SocketException) switch
        {
            { SocketErrorCode: SocketError.AccessDenied } => "permission denied (run as root, or join the group that owns the socket)",
            { SocketErrorCode: SocketError.ConnectionRefused } => "connection refused (nothing listens there)",
            { SocketErrorCode: SocketError.AddressNotAvailable } => "the socket does not exist",
            { } socket => socket.Message,
            null => cause.Message,
        };
        return new EngineException(EngineErrorKind.EngineUnavailable,
            $"Cannot reach the PSContainer engine at {Endpoint} ({Endpoint.Source}): {reason}. " +
            "Start it with 'sudo psc-engine' (out/bin/psc-engine after ./build.sh), " +
            $"or point -Endpoint or $env:{EngineEndpoint.PSContainerHostVariable} at a running engine.",
            null, cause);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    /// <summary>Escapes an id, name or reference for use as one path segment.</summary>
    public static string Segment(string value) => Uri.EscapeDataString(value ?? throw new ArgumentNullException(nameof(value)));

    /// <summary>
    /// Escapes an image reference for a path, keeping its slashes: Docker routes image names as
    /// a multi-segment path (/images/library/busybox:latest/json), and an escaped %2F is not decoded by every router.
    /// </summary>
    public static string ImageSegment(string reference) =>
        string.Join('/', (reference ?? throw new ArgumentNullException(nameof(reference))).Split('/').Select(Uri.EscapeDataString));

    internal static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    internal static Encoding Utf8 { get; } = new UTF8Encoding(false);

    public void Dispose()
    {
        _http.Dispose();
        _negotiation.Dispose();
    }
}

/// <summary>What GET /_ping told about the engine.</summary>
public sealed record PingResult(string? ApiVersion, string? OSType, string? Server, string Body);
