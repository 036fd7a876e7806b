using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.Oci;

namespace PSContainer.Engine.Core.Distribution;

/// <summary>
/// A client of one registry (OCI distribution spec v2). Requests go out anonymously first; on a
/// 401 the <c>WWW-Authenticate</c> challenge decides: Basic sends the credentials, Bearer fetches
/// a token from the realm for the scope (with the credentials, if any) and caches it per scope
/// until it expires. Redirects (to blob storage) are followed without the registry's credentials.
/// An insecure registry is tried over HTTPS first; when that handshake fails the client switches
/// to plain HTTP for the rest of its life (<see cref="RegistryTransport.HttpsThenHttp"/>).
/// </summary>
public sealed class RegistryClient : IDisposable
{
    /// <summary>What a pull accepts, best first: indexes so that the platform can be chosen here.</summary>
    public static readonly string[] ManifestAcceptTypes =
        [MediaTypes.OciIndex, MediaTypes.DockerManifestList, MediaTypes.OciManifest, MediaTypes.DockerManifest];

    private readonly HttpClient _http;
    private readonly RegistryCredentials? _credentials;
    private readonly ConcurrentDictionary<string, CachedToken> _tokens = new(StringComparer.Ordinal);
    private volatile bool _useBasic;
    private readonly RegistryTransport _transport;
    private volatile Uri _baseUri;

    // Set once a request got an answer or the switch to HTTP was made: the scheme no longer changes.
    private volatile bool _schemeSettled;
    private string? _httpsFailure;

    public RegistryClient(string domain, RegistryCredentials? credentials = null, RegistryOptions? options = null, HttpMessageHandler? handler = null)
    {
        options ??= new RegistryOptions();
        Domain = domain;
        _baseUri = RegistryHosts.BaseUri(domain);
        _transport = RegistryHosts.TransportOf(domain, options);
        _schemeSettled = _transport == RegistryTransport.Https;
        _credentials = credentials is { HasSecret: true } ? credentials : null;
        // No BaseAddress: relative request URIs are resolved against the current scheme per send.
        _http = new HttpClient(handler ?? RegistryHosts.CreateHandler(_baseUri, options, _transport), disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan, // blobs can take long; callers cancel
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("psc-engine/1.0");
    }

    public string Domain { get; }

    /// <summary>Where requests go: https, or http once an insecure registry's TLS handshake failed.</summary>
    public Uri BaseUri => _baseUri;

    /// <summary>How many tokens were fetched from a token endpoint (each scope once while valid).</summary>
    public int TokensFetched => _tokensFetched;

    private int _tokensFetched;

    /// <summary>GET /v2/ with authentication: succeeds when the registry accepts these credentials (docker login).</summary>
    public async Task PingAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, "v2/"), scope: null, $"registry {Domain}", cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>A manifest or index by tag or digest; a digest reference is verified against the body.</summary>
    public async Task<FetchedManifest> GetManifestAsync(string repository, string tagOrDigest, CancellationToken cancellationToken = default)
    {
        var what = $"manifest {Domain}/{repository}:{tagOrDigest}";
        using var response = await SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"v2/{repository}/manifests/{tagOrDigest}");
            foreach (var type in ManifestAcceptTypes)
            {
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
            }
            return request;
        }, PullScope(repository), what, cancellationToken).ConfigureAwait(false);
        const int maxManifestBytes = 4 << 20;
        if (response.Content.Headers.ContentLength > maxManifestBytes)
        {
            throw CoreException.InvalidArgument($"{what}: {response.Content.Headers.ContentLength} bytes is too large for a manifest");
        }
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (body.Length > maxManifestBytes)
        {
            throw CoreException.InvalidArgument($"{what}: {body.Length} bytes is too large for a manifest");
        }
        var digest = Digest.FromBytes(body);
        if (Digest.TryParse(tagOrDigest, out var wanted) && wanted != digest)
        {
            throw CoreException.DataCorrupted($"{what}: the registry sent content with digest {digest}");
        }
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (string.IsNullOrEmpty(mediaType) || mediaType is "application/json" or "text/plain")
        {
            var probe = JsonSerializer.Deserialize(body, ImageJsonContext.Default.ManifestProbe);
            mediaType = probe?.MediaType ?? (probe?.Manifests is not null ? MediaTypes.OciIndex : MediaTypes.OciManifest);
        }
        return new FetchedManifest(new Descriptor { MediaType = mediaType, Digest = digest, Size = body.Length }, body);
    }

    /// <summary>
    /// Starts a blob download at <paramref name="offset"/> (a Range request when above zero). The
    /// caller reads the body; <see cref="HttpResponseMessage.StatusCode"/> is 206 when the range was honoured.
    /// </summary>
    public Task<HttpResponseMessage> GetBlobAsync(string repository, Digest digest, long offset = 0, CancellationToken cancellationToken = default) =>
        SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"v2/{repository}/blobs/{digest}");
            if (offset > 0)
            {
                request.Headers.Range = new RangeHeaderValue(offset, null);
            }
            return request;
        }, PullScope(repository), $"blob {digest} of {Domain}/{repository}", cancellationToken);

    /// <summary>HEAD of a blob: true when the repository has it (push skips it then).</summary>
    public async Task<bool> BlobExistsAsync(string repository, Digest digest, string scope, CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Head, $"v2/{repository}/blobs/{digest}"), scope,
                $"blob {digest} of {Domain}/{repository}", cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RegistryException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>An upload Location (relative or absolute) as an absolute URI.</summary>
    internal Uri Resolve(Uri? location, string what) =>
        location is null ? throw CoreException.InvalidArgument($"{what}: the registry sent no Location for the upload")
        : location.IsAbsoluteUri ? location : new Uri(BaseUri, location);

    internal static string PullScope(string repository) => $"repository:{repository}:pull";

    internal static string PushScope(string repository) => $"repository:{repository}:pull,push";

    /// <summary>
    /// Sends the request made by <paramref name="makeRequest"/> (called again for the retry after a
    /// challenge), answering one 401 challenge; any non-success status becomes a <see cref="RegistryException"/>.
    /// The response is returned with its body unread.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> makeRequest, string? scope, string what, CancellationToken cancellationToken)
    {
        var response = await SendOnceAsync(makeRequest, scope, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            var challenges = response.Headers.WwwAuthenticate.Select(h => h.ToString()).SelectMany(ParseOrEmpty).ToList();
            var bearer = challenges.FirstOrDefault(c => c.IsBearer);
            var basic = challenges.FirstOrDefault(c => c.IsBasic);
            if (bearer is not null)
            {
                response.Dispose();
                await FetchTokenAsync(bearer, scope, cancellationToken).ConfigureAwait(false);
                response = await SendOnceAsync(makeRequest, scope, cancellationToken).ConfigureAwait(false);
            }
            else if (basic is not null && _credentials is not null && !_useBasic)
            {
                response.Dispose();
                _useBasic = true;
                response = await SendOnceAsync(makeRequest, scope, cancellationToken).ConfigureAwait(false);
            }
        }
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                var subject = response.StatusCode == HttpStatusCode.Unauthorized ? $"{what} at {Domain} ({WhoAsked()})" : what;
                throw await RegistryErrors.FromResponseAsync(response, subject, cancellationToken).ConfigureAwait(false);
            }
        }
        return response;
    }

    /// <summary>For a final 401: whose credentials were refused, or that none were given.</summary>
    private string WhoAsked() => _credentials switch
    {
        { Username: { Length: > 0 } user } => $"the credentials of \"{user}\" were refused",
        { IdentityToken: { Length: > 0 } } => "the identity token was refused",
        { RegistryToken: { Length: > 0 } } => "the registry token was refused",
        _ => $"no credentials were given: log in with docker login {Domain} or Connect-ContainerRegistry",
    };

    private static IReadOnlyList<AuthChallenge> ParseOrEmpty(string header)
    {
        try
        {
            return AuthChallenge.Parse(header);
        }
        catch (FormatException)
        {
            return [];
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(Func<HttpRequestMessage> makeRequest, string? scope, CancellationToken cancellationToken)
    {
        using var request = makeRequest();
        if (_tokens.TryGetValue(scope ?? "", out var token) && token.ExpiresAt > DateTimeOffset.UtcNow)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
        }
        else if (_useBasic && _credentials is not null)
        {
            request.Headers.Authorization = BasicHeader(_credentials);
        }
        var baseUri = _baseUri;
        if (request.RequestUri is { IsAbsoluteUri: false } relative)
        {
            request.RequestUri = new Uri(baseUri, relative);
        }
        try
        {
            var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            _schemeSettled = true;
            return response;
        }
        catch (HttpRequestException e) when (SwitchToHttp(baseUri, e))
        {
            return await SendOnceAsync(makeRequest, scope, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            var earlier = _httpsFailure is { } https ? $" (over https first: {https})" : "";
            throw CoreException.Unavailable($"registry {Domain} ({baseUri}): {e.Message}{earlier}");
        }
    }

    /// <summary>
    /// An insecure registry's first HTTPS attempt failed in the handshake or was refused: use plain
    /// HTTP from now on (true: send again). Later failures, and any on a settled scheme, are errors.
    /// </summary>
    private bool SwitchToHttp(Uri triedBase, HttpRequestException error)
    {
        if (_schemeSettled || triedBase.Scheme != Uri.UriSchemeHttps || !RegistryHosts.FallsBackToHttp(error))
        {
            return false;
        }
        _httpsFailure = error.InnerException is { } inner ? $"{error.Message} {inner.Message}" : error.Message;
        _baseUri = RegistryHosts.PlainHttp(triedBase);
        _schemeSettled = true;
        return true;
    }

    private static AuthenticationHeaderValue BasicHeader(RegistryCredentials credentials) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credentials.Username}:{credentials.Password}")));

    /// <summary>GET realm?service=…&amp;scope=… (with basic credentials when we have them) and caches the token.</summary>
    private async Task FetchTokenAsync(AuthChallenge challenge, string? scope, CancellationToken cancellationToken)
    {
        if (_credentials?.RegistryToken is { Length: > 0 } registryToken)
        {
            _tokens[scope ?? ""] = new CachedToken(registryToken, DateTimeOffset.MaxValue);
            return;
        }
        if (string.IsNullOrEmpty(challenge.Realm) || !Uri.TryCreate(challenge.Realm, UriKind.Absolute, out var realm) ||
            (realm.Scheme != Uri.UriSchemeHttps && realm.Scheme != Uri.UriSchemeHttp))
        {
            throw CoreException.InvalidArgument($"registry {Domain}: the bearer challenge has no usable realm (\"{challenge.Realm}\")");
        }
        var query = new List<string>();
        if (!string.IsNullOrEmpty(challenge.Service))
        {
            query.Add("service=" + Uri.EscapeDataString(challenge.Service));
        }
        var wantedScope = scope ?? challenge.Scope;
        if (!string.IsNullOrEmpty(wantedScope))
        {
            query.Add("scope=" + Uri.EscapeDataString(wantedScope));
        }
        var builder = new UriBuilder(realm);
        var existing = builder.Query.TrimStart('?');
        builder.Query = string.Join('&', new[] { existing }.Where(q => q.Length > 0).Concat(query));
        using var request = new HttpRequestMessage(HttpMethod.Get, builder.Uri);
        if (_credentials is { Username.Length: > 0 })
        {
            request.Headers.Authorization = BasicHeader(_credentials);
        }
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw CoreException.Unavailable($"registry {Domain}: token endpoint {realm}: {e.Message}");
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var subject = $"registry {Domain}: token endpoint {realm.GetLeftPart(UriPartial.Path)}";
                if (response.StatusCode == HttpStatusCode.Unauthorized)
                {
                    subject += $" ({WhoAsked()})";
                }
                throw await RegistryErrors.FromResponseAsync(response, subject, cancellationToken).ConfigureAwait(false);
            }
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            TokenResponse? parsed;
            try
            {
                parsed = JsonSerializer.Deserialize(body, DistributionJsonContext.Default.TokenResponse);
            }
            catch (JsonException e)
            {
                throw CoreException.InvalidArgument($"registry {Domain}: token endpoint {realm.GetLeftPart(UriPartial.Path)} answered invalid JSON ({e.Message})");
            }
            var token = parsed?.Token is { Length: > 0 } t ? t : parsed?.AccessToken;
            if (string.IsNullOrEmpty(token))
            {
                throw CoreException.InvalidArgument($"registry {Domain}: token endpoint {realm.GetLeftPart(UriPartial.Path)} answered no token");
            }
            // The spec's default lifetime is 60 s; renew a little early.
            var lifetime = Math.Max(parsed!.ExpiresIn ?? 60, 60);
            _tokens[scope ?? ""] = new CachedToken(token, DateTimeOffset.UtcNow.AddSeconds(lifetime - 10));
            Interlocked.Increment(ref _tokensFetched);
        }
    }

    public void Dispose() => _http.Dispose();

    private sealed record CachedToken(string Value, DateTimeOffset ExpiresAt);
}

/// <summary>A manifest or index as the registry sent it, with its descriptor (digest of the exact bytes).</summary>
public sealed record FetchedManifest(Descriptor Descriptor, byte[] Body);
