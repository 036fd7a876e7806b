using System.Net;
using System.Runtime.CompilerServices;
using PSContainer.Api;

namespace PSContainer.Module.Client;

public sealed partial class EngineClient
{
    private static ApiJsonContext Json => ApiJsonContext.Default;

    public Task<List<ContainerSummary>> ListContainersAsync(bool all, IReadOnlyDictionary<string, IReadOnlyList<string>>? filters, CancellationToken cancellationToken) =>
        GetJsonAsync(new QueryString("/containers/json").AddIfTrue("all", all).AddFilters(filters).ToString(),
            Json.ListContainerSummary, EngineResource.Container, null, cancellationToken);

    public Task<ContainerInspect> InspectContainerAsync(string id, CancellationToken cancellationToken) =>
        GetJsonAsync($"/containers/{Segment(id)}/json", Json.ContainerInspect, EngineResource.Container, id, cancellationToken);

    public Task<ContainerCreateResponse> CreateContainerAsync(ContainerCreateRequest request, string? name, CancellationToken cancellationToken) =>
        PostJsonAsync(new QueryString("/containers/create").Add("name", name).ToString(), request,
            Json.ContainerCreateRequest, Json.ContainerCreateResponse, EngineResource.Image, request?.Image, cancellationToken);

    /// <summary>Starts a container; false when it was already running (304).</summary>
    public async Task<bool> StartContainerAsync(string id, CancellationToken cancellationToken) =>
        await SendNoContentAsync(HttpMethod.Post, $"/containers/{Segment(id)}/start", null, EngineResource.Container, id, cancellationToken).ConfigureAwait(false)
            != HttpStatusCode.NotModified;

    /// <summary>Stops a container (signal, then SIGKILL after the timeout); false when it was already stopped (304).</summary>
    public async Task<bool> StopContainerAsync(string id, int? timeoutSeconds, string? signal, CancellationToken cancellationToken) =>
        await SendNoContentAsync(HttpMethod.Post,
            new QueryString($"/containers/{Segment(id)}/stop").Add("t", timeoutSeconds).Add("signal", signal).ToString(),
            null, EngineResource.Container, id, cancellationToken).ConfigureAwait(false) != HttpStatusCode.NotModified;

    public Task RestartContainerAsync(string id, int? timeoutSeconds, string? signal, CancellationToken cancellationToken) =>
        SendNoContentAsync(HttpMethod.Post,
            new QueryString($"/containers/{Segment(id)}/restart").Add("t", timeoutSeconds).Add("signal", signal).ToString(),
            null, EngineResource.Container, id, cancellationToken);

    public Task KillContainerAsync(string id, string? signal, CancellationToken cancellationToken) =>
        SendNoContentAsync(HttpMethod.Post, new QueryString($"/containers/{Segment(id)}/kill").Add("signal", signal).ToString(),
            null, EngineResource.Container, id, cancellationToken);

    public Task PauseContainerAsync(string id, CancellationToken cancellationToken) =>
        SendNoContentAsync(HttpMethod.Post, $"/containers/{Segment(id)}/pause", null, EngineResource.Container, id, cancellationToken);

    public Task UnpauseContainerAsync(string id, CancellationToken cancellationToken) =>
        SendNoContentAsync(HttpMethod.Post, $"/containers/{Segment(id)}/unpause", null, EngineResource.Container, id, cancellationToken);

    public Task RemoveContainerAsync(string id, bool force, bool volumes, CancellationToken cancellationToken) =>
        SendNoContentAsync(HttpMethod.Delete,
            new QueryString($"/containers/{Segment(id)}").AddIfTrue("force", force).AddIfTrue("v", volumes).ToString(),
            null, EngineResource.Container, id, cancellationToken);

    /// <summary>Blocks until the container reaches the condition (not-running, next-exit, removed) and returns its exit status.</summary>
    public Task<WaitResponse> WaitContainerAsync(string id, string? condition, CancellationToken cancellationToken) =>
        PostForJsonAsync(new QueryString($"/containers/{Segment(id)}/wait").Add("condition", condition).ToString(), Json.WaitResponse, EngineResource.Container, id, cancellationToken);

    public Task RenameContainerAsync(string id, string newName, CancellationToken cancellationToken) =>
        SendNoContentAsync(HttpMethod.Post, new QueryString($"/containers/{Segment(id)}/rename").Add("name", newName).ToString(),
            null, EngineResource.Container, id, cancellationToken);

    public Task<ContainerUpdateResponse> UpdateContainerAsync(string id, ContainerUpdateRequest update, CancellationToken cancellationToken) =>
        PostJsonAsync($"/containers/{Segment(id)}/update", update, Json.ContainerUpdateRequest, Json.ContainerUpdateResponse,
            EngineResource.Container, id, cancellationToken);

    public Task<ContainerTopResponse> TopContainerAsync(string id, string? psArgs, CancellationToken cancellationToken) =>
        GetJsonAsync(new QueryString($"/containers/{Segment(id)}/top").Add("ps_args", psArgs).ToString(),
            Json.ContainerTopResponse, EngineResource.Container, id, cancellationToken);

    public Task<List<PSContainer.Api.ContainerChange>> ContainerChangesAsync(string id, CancellationToken cancellationToken) =>
        GetJsonAsync($"/containers/{Segment(id)}/changes", Json.ListContainerChange, EngineResource.Container, id, cancellationToken);

    public async Task<ContainerPruneResponse> PruneContainersAsync(IReadOnlyDictionary<string, IReadOnlyList<string>>? filters, CancellationToken cancellationToken) =>
        await PostForJsonAsync(new QueryString("/containers/prune").AddFilters(filters).ToString(), Json.ContainerPruneResponse, EngineResource.Container, null, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The container's log stream (multiplexed unless the container has a tty). The caller
    /// disposes the response; with follow it ends only when the container stops or the token fires.
    /// </summary>
    public Task<HttpResponseMessage> ContainerLogsAsync(string id, LogOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var query = new QueryString($"/containers/{Segment(id)}/logs")
            .Add("stdout", options.StdOut).Add("stderr", options.StdErr)
            .AddIfTrue("follow", options.Follow).AddIfTrue("timestamps", options.Timestamps)
            .Add("tail", options.Tail is { } tail ? tail.ToString(System.Globalization.CultureInfo.InvariantCulture) : "all")
            .Add("since", options.Since).Add("until", options.Until);
        return SendAsync(HttpMethod.Get, query.ToString(), null, EngineResource.Container, id, cancellationToken, streaming: true);
    }

    /// <summary>Resource usage: one sample, or a sample a second while <paramref name="stream"/> until cancelled.</summary>
    public async IAsyncEnumerable<ContainerStats> ContainerStatsAsync(string id, bool stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get,
            new QueryString($"/containers/{Segment(id)}/stats").Add("stream", stream).ToString(),
            null, EngineResource.Container, id, cancellationToken, streaming: true).ConfigureAwait(false);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var sample in JsonLinesReader.ReadAsync(body, Json.ContainerStats, cancellationToken).ConfigureAwait(false))
        {
            yield return sample;
        }
    }

    /// <summary>GET /containers/{id}/export: the container's filesystem as a tar stream.</summary>
    public Task<HttpResponseMessage> ExportContainerAsync(string id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"/containers/{Segment(id)}/export", null, EngineResource.Container, id, cancellationToken, streaming: true);

    /// <summary>GET /containers/{id}/archive: a path in the container as a tar stream.</summary>
    public Task<HttpResponseMessage> GetArchiveAsync(string id, string path, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, new QueryString($"/containers/{Segment(id)}/archive").Add("path", path).ToString(),
            null, EngineResource.Container, id, cancellationToken, streaming: true);

    /// <summary>PUT /containers/{id}/archive: unpacks a tar stream into a directory of the container.</summary>
    public async Task PutArchiveAsync(string id, string directory, Stream tar, bool noOverwriteDirNonDir, CancellationToken cancellationToken)
    {
        await using var response = await UploadAsync(HttpMethod.Put,
            new QueryString($"/containers/{Segment(id)}/archive").Add("path", directory).AddIfTrue("noOverwriteDirNonDir", noOverwriteDirNonDir).ToString(),
            tar, "application/x-tar", null, EngineResource.Container, id, cancellationToken).ConfigureAwait(false);
        await response.CompleteUploadAsync().ConfigureAwait(false);
    }

    /// <summary>Attaches to a running container's stdio (for an interactive session).</summary>
    public Task<HijackedConnection> AttachContainerAsync(string id, bool stdin, bool tty, CancellationToken cancellationToken) =>
        HijackAsync(new QueryString($"/containers/{Segment(id)}/attach").Add("stream", true).Add("stdin", stdin)
            .Add("stdout", true).Add("stderr", true).ToString(), null, tty, EngineResource.Container, id, cancellationToken);

    public Task ResizeContainerTtyAsync(string id, int height, int width, CancellationToken cancellationToken) =>
        SendNoContentAsync(HttpMethod.Post, new QueryString($"/containers/{Segment(id)}/resize").Add("h", height).Add("w", width).ToString(),
            null, EngineResource.Container, id, cancellationToken);
}

/// <summary>What to read from a container's log.</summary>
public sealed class LogOptions
{
    public bool StdOut { get; init; } = true;
    public bool StdErr { get; init; } = true;
    public bool Follow { get; init; }
    public bool Timestamps { get; init; }
    /// <summary>Only the last N lines; null for all.</summary>
    public int? Tail { get; init; }
    /// <summary>API timestamps (Unix seconds with fraction); null for no bound.</summary>
    public string? Since { get; init; }
    public string? Until { get; init; }
}
