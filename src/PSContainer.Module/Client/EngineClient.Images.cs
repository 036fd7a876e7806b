using System.Runtime.CompilerServices;
using System.Text.Json;
using PSContainer.Api;

namespace PSContainer.Module.Client;

public sealed partial class EngineClient
{
    public Task<List<ImageSummary>> ListImagesAsync(bool all, IReadOnlyDictionary<string, IReadOnlyList<string>>? filters, CancellationToken cancellationToken) =>
        GetJsonAsync(new QueryString("/images/json").AddIfTrue("all", all).AddFilters(filters).ToString(),
            Json.ListImageSummary, EngineResource.Image, null, cancellationToken);

    public Task<ImageInspect> InspectImageAsync(string reference, CancellationToken cancellationToken) =>
        GetJsonAsync($"/images/{ImageSegment(reference)}/json", Json.ImageInspect, EngineResource.Image, reference, cancellationToken);

    public Task<List<ImageHistoryItem>> ImageHistoryAsync(string reference, CancellationToken cancellationToken) =>
        GetJsonAsync($"/images/{ImageSegment(reference)}/history", Json.ListImageHistoryItem, EngineResource.Image, reference, cancellationToken);

    /// <summary>POST /images/create: pulls repository:tag; yields the progress lines as they come.</summary>
    public IAsyncEnumerable<ProgressMessage> PullImageAsync(string repository, string? tag, string? platform, AuthConfig? auth, CancellationToken cancellationToken) =>
        ProgressStreamAsync(HttpMethod.Post,
            new QueryString("/images/create").Add("fromImage", repository).Add("tag", tag).Add("platform", platform).ToString(),
            null, EngineResource.Image, repository, auth, cancellationToken);

    /// <summary>POST /images/{name}/push.</summary>
    public IAsyncEnumerable<ProgressMessage> PushImageAsync(string repository, string? tag, AuthConfig? auth, CancellationToken cancellationToken) =>
        ProgressStreamAsync(HttpMethod.Post,
            new QueryString($"/images/{ImageSegment(repository)}/push").Add("tag", tag).ToString(),
            null, EngineResource.Image, repository, auth ?? new AuthConfig(), cancellationToken);

    /// <summary>POST /images/load: a docker or OCI archive in, progress and "Loaded image: ..." lines out.</summary>
    public IAsyncEnumerable<ProgressMessage> LoadImageAsync(Stream archive, CancellationToken cancellationToken) =>
        UploadProgressStreamAsync("/images/load?quiet=0", archive ?? throw new ArgumentNullException(nameof(archive)), null, cancellationToken);

    /// <summary>POST /build: a tar of the build context in, build output and progress out.</summary>
    public IAsyncEnumerable<ProgressMessage> BuildImageAsync(Stream context, string? tag, string? dockerfile, CancellationToken cancellationToken) =>
        UploadProgressStreamAsync(new QueryString("/build").Add("t", tag).Add("dockerfile", dockerfile).ToString(),
            context ?? throw new ArgumentNullException(nameof(context)), tag, cancellationToken);

    private async IAsyncEnumerable<ProgressMessage> UploadProgressStreamAsync(
        string pathAndQuery, Stream body, string? target, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var response = await UploadAsync(HttpMethod.Post, pathAndQuery, body, "application/x-tar", null,
            EngineResource.Image, target, cancellationToken).ConfigureAwait(false);
        await foreach (var message in JsonLinesReader.ReadAsync(response.Body, Json.ProgressMessage, cancellationToken).ConfigureAwait(false))
        {
            yield return message;
        }
    }

    /// <summary>GET /images/get: the named images as one docker archive.</summary>
    public Task<HttpResponseMessage> SaveImagesAsync(IEnumerable<string> references, CancellationToken cancellationToken)
    {
        var query = new QueryString("/images/get");
        foreach (var reference in references ?? throw new ArgumentNullException(nameof(references)))
        {
            query.Add("names", reference);
        }
        return SendAsync(HttpMethod.Get, query.ToString(), null, EngineResource.Image, null, cancellationToken, streaming: true);
    }

    public Task TagImageAsync(string source, string repository, string? tag, CancellationToken cancellationToken) =>
        SendNoContentAsync(HttpMethod.Post,
            new QueryString($"/images/{ImageSegment(source)}/tag").Add("repo", repository).Add("tag", tag).ToString(),
            null, EngineResource.Image, source, cancellationToken);

    public Task<List<ImageDeleteItem>> RemoveImageAsync(string reference, bool force, bool noPrune, CancellationToken cancellationToken) =>
        DeleteJsonAsync(new QueryString($"/images/{ImageSegment(reference)}").AddIfTrue("force", force).AddIfTrue("noprune", noPrune).ToString(),
            Json.ListImageDeleteItem, EngineResource.Image, reference, cancellationToken);

    public Task<ImagePruneResponse> PruneImagesAsync(IReadOnlyDictionary<string, IReadOnlyList<string>>? filters, CancellationToken cancellationToken) =>
        PostForJsonAsync(new QueryString("/images/prune").AddFilters(filters).ToString(), Json.ImagePruneResponse, EngineResource.Image, null, cancellationToken);

    /// <summary>POST /commit: a container's current filesystem as a new image.</summary>
    public Task<IdResponse> CommitContainerAsync(string containerId, string? repository, string? tag, string? comment, string? author, bool pause,
        IEnumerable<string>? changes, CancellationToken cancellationToken)
    {
        var query = new QueryString("/commit").Add("container", containerId).Add("repo", repository).Add("tag", tag)
            .Add("comment", comment).Add("author", author).Add("pause", pause);
        foreach (var change in changes ?? [])
        {
            query.Add("changes", change);
        }
        return PostForJsonAsync(query.ToString(), Json.IdResponse, EngineResource.Container, containerId, cancellationToken);
    }

    /// <summary>POST /auth: checks credentials with the registry.</summary>
    public Task<AuthResponse> AuthenticateAsync(AuthConfig auth, CancellationToken cancellationToken) =>
        PostJsonAsync("/auth", auth, Json.AuthConfig, Json.AuthResponse, EngineResource.Engine, auth?.ServerAddress, cancellationToken);

    /// <summary>The X-Registry-Auth header: the credentials as base64url JSON.</summary>
    public static string EncodeAuth(AuthConfig auth) =>
        Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(auth, Json.AuthConfig)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private async Task<T> DeleteJsonAsync<T>(string pathAndQuery, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info, EngineResource resource, string? target, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Delete, pathAndQuery, null, resource, target, cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync(response, info, cancellationToken).ConfigureAwait(false);
    }

    private async IAsyncEnumerable<ProgressMessage> ProgressStreamAsync(
        HttpMethod method, string pathAndQuery, HttpContent? content, EngineResource resource, string? target, AuthConfig? auth,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var headers = auth is null ? null : new Dictionary<string, string> { ["X-Registry-Auth"] = EncodeAuth(auth) };
        using var response = await SendAsync(method, pathAndQuery, content, resource, target, cancellationToken, streaming: true, headers).ConfigureAwait(false);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var message in JsonLinesReader.ReadAsync(body, Json.ProgressMessage, cancellationToken).ConfigureAwait(false))
        {
            yield return message;
        }
    }
}
