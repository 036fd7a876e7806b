using PSContainer.Api;
using PSContainer.Engine.Api.Http;
using PSContainer.Engine.Daemon.Containers;
using PSContainer.Engine.Daemon.Streams;
using static PSContainer.Engine.Api.Endpoints.EndpointHelpers;

namespace PSContainer.Engine.Api.Endpoints;

/// <summary>/containers/...: thin handlers that parse the request, call the container service and write Docker's answer.</summary>
public sealed class ContainerEndpoints(ContainerService containers)
{
    public void Map(Router router)
    {
        router
            .Map("GET", "/containers/json", ListAsync)
            .Map("POST", "/containers/create", CreateAsync)
            .Map("POST", "/containers/prune", PruneAsync)
            .Map("GET", "/containers/{id}/json", InspectAsync)
            .Map("POST", "/containers/{id}/start", StartAsync)
            .Map("POST", "/containers/{id}/stop", StopAsync)
            .Map("POST", "/containers/{id}/restart", RestartAsync)
            .Map("POST", "/containers/{id}/kill", KillAsync)
            .Map("POST", "/containers/{id}/wait", WaitAsync)
            .Map("DELETE", "/containers/{id}", RemoveAsync)
            .Map("POST", "/containers/{id}/attach", AttachAsync)
            .Map("GET", "/containers/{id}/logs", LogsAsync)
            .Map("POST", "/containers/{id}/resize", ResizeAsync)
            .Map("POST", "/containers/{id}/pause", PauseAsync)
            .Map("POST", "/containers/{id}/unpause", UnpauseAsync)
            .Map("POST", "/containers/{id}/rename", RenameAsync);
    }

    private Task ListAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        var filters = new ContainerFilters(QueryFilters.Parse(request)).WithContainerLookup(
            name => containers.Store.TryGet(name, out var c) ? c.Record.Created : null);
        var list = containers.List(request.QueryBool("all"), QueryInt32(request, "limit"), request.QueryBool("size"), filters);
        return response.WriteJsonAsync(200, list, ApiJsonContext.Default.ListContainerSummary, cancellationToken);
    }

    private async Task CreateAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        var body = await RequireJsonAsync(request, ApiJsonContext.Default.ContainerCreateRequest, cancellationToken).ConfigureAwait(false);
        var created = await containers.CreateAsync(body, request.QueryValue("name"), cancellationToken).ConfigureAwait(false);
        await response.WriteJsonAsync(201, created, ApiJsonContext.Default.ContainerCreateResponse, cancellationToken).ConfigureAwait(false);
    }

    private Task InspectAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken) =>
        response.WriteJsonAsync(200, containers.Inspect(request.Route("id"), request.QueryBool("size")), ApiJsonContext.Default.ContainerInspect, cancellationToken);

    private async Task StartAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        await containers.StartAsync(request.Route("id"), cancellationToken).ConfigureAwait(false);
        await response.WriteEmptyAsync(204, cancellationToken).ConfigureAwait(false);
    }

    private async Task StopAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        await containers.StopAsync(request.Route("id"), QueryInt32(request, "t"), request.QueryValue("signal"), cancellationToken).ConfigureAwait(false);
        await response.WriteEmptyAsync(204, cancellationToken).ConfigureAwait(false);
    }

    private async Task RestartAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        await containers.RestartAsync(request.Route("id"), QueryInt32(request, "t"), request.QueryValue("signal"), cancellationToken).ConfigureAwait(false);
        await response.WriteEmptyAsync(204, cancellationToken).ConfigureAwait(false);
    }

    private async Task KillAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        await containers.KillAsync(request.Route("id"), request.QueryValue("signal"), cancellationToken).ConfigureAwait(false);
        await response.WriteEmptyAsync(204, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Answers 200 at once (clients start the wait before the start), the body when the condition is met.</summary>
    private async Task WaitAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        var waiting = containers.WaitAsync(request.Route("id"), request.QueryValue("condition"), cancellationToken);
        if (waiting.IsFaulted)
        {
            await waiting.ConfigureAwait(false); // 404/400 as a proper error response
        }
        var stream = await response.StartChunkedAsync(200, "application/json", cancellationToken).ConfigureAwait(false);
        WaitResponse body;
        try
        {
            var exit = await waiting.ConfigureAwait(false);
            body = new WaitResponse { StatusCode = exit.ExitCode, Error = exit.Error is null ? null : new WaitExitError { Message = exit.Error } };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            body = new WaitResponse { StatusCode = -1, Error = new WaitExitError { Message = e.Message } };
        }
        await stream.WriteAsync(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(body, ApiJsonContext.Default.WaitResponse), cancellationToken).ConfigureAwait(false);
        await stream.WriteAsync("\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
    }

    private async Task RemoveAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        if (request.QueryBool("link"))
        {
            throw Errors.EngineException.NotImplemented("legacy links are not supported");
        }
        await containers.RemoveAsync(request.Route("id"), request.QueryBool("force"), request.QueryBool("v"), cancellationToken).ConfigureAwait(false);
        await response.WriteEmptyAsync(204, cancellationToken).ConfigureAwait(false);
    }

    private async Task AttachAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        var id = request.Route("id");
        var tty = containers.IsTty(id); // 404 before hijacking
        var options = new AttachOptions(
            Stdin: request.QueryBool("stdin"),
            Stdout: request.QueryBool("stdout"),
            Stderr: request.QueryBool("stderr"),
            Tty: tty,
            CloseStdinOnEof: false,
            DetachKeys: ContainerService.ParseDetachKeys(request.QueryValue("detachKeys"))); // 400 before hijacking
        if (!request.QueryBool("stream") && !request.QueryBool("logs"))
        {
            throw Errors.EngineException.InvalidParameter("either logs or stream must be set");
        }
        var contentType = tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream";
        var connection = await response.HijackAsync(request.WantsUpgrade, contentType, cancellationToken).ConfigureAwait(false);
        if (request.QueryBool("logs"))
        {
            var logOptions = new LogOptions(options.Stdout, options.Stderr, Timestamps: false, Follow: false, Tail: null, Since: null, Until: null);
            await containers.LogsAsync(id, logOptions, connection.Stream, cancellationToken).ConfigureAwait(false);
        }
        if (request.QueryBool("stream"))
        {
            await containers.AttachAsync(id, connection, options, cancellationToken).ConfigureAwait(false);
        }
        connection.CloseOutput();
    }

    private async Task LogsAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        var id = request.Route("id");
        var stdout = request.QueryBool("stdout");
        var stderr = request.QueryBool("stderr");
        if (!stdout && !stderr)
        {
            throw Errors.EngineException.InvalidParameter("Bad parameters: you must choose at least one stream");
        }
        var tail = request.QueryValue("tail");
        int? tailLines = string.IsNullOrEmpty(tail) || tail == "all" ? null
            : int.TryParse(tail, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n
            : throw Errors.EngineException.InvalidParameter($"invalid value for tail: \"{tail}\"");
        var options = new LogOptions(stdout, stderr, request.QueryBool("timestamps"), request.QueryBool("follow"), tailLines,
            QueryTime(request, "since"), QueryTime(request, "until"));
        var tty = containers.IsTty(id);
        var stream = await response.StartChunkedAsync(200, tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream", cancellationToken).ConfigureAwait(false);
        await containers.LogsAsync(id, options, stream, cancellationToken).ConfigureAwait(false);
    }

    private async Task ResizeAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        var (height, width) = Size(request);
        await containers.ResizeAsync(request.Route("id"), height, width, cancellationToken).ConfigureAwait(false);
        await response.WriteEmptyAsync(200, cancellationToken).ConfigureAwait(false);
    }

    internal static (ushort Height, ushort Width) Size(HttpRequest request)
    {
        var h = request.QueryInt64("h") ?? 0;
        var w = request.QueryInt64("w") ?? 0;
        if (h is < 0 or > ushort.MaxValue || w is < 0 or > ushort.MaxValue)
        {
            throw Errors.EngineException.InvalidParameter($"invalid terminal size {w}x{h}");
        }
        return ((ushort)h, (ushort)w);
    }

    private async Task PauseAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        await containers.PauseAsync(request.Route("id"), cancellationToken).ConfigureAwait(false);
        await response.WriteEmptyAsync(204, cancellationToken).ConfigureAwait(false);
    }

    private async Task UnpauseAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        await containers.UnpauseAsync(request.Route("id"), cancellationToken).ConfigureAwait(false);
        await response.WriteEmptyAsync(204, cancellationToken).ConfigureAwait(false);
    }

    private async Task RenameAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        var name = request.QueryValue("name");
        if (string.IsNullOrEmpty(name))
        {
            throw Errors.EngineException.InvalidParameter("Neither old nor new names may be empty");
        }
        containers.Rename(request.Route("id"), name);
        await response.WriteEmptyAsync(204, cancellationToken).ConfigureAwait(false);
    }

    private async Task PruneAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        var filters = QueryFilters.Parse(request);
        var until = filters.TryGetValue("until", out var u) && u.Count > 0 ? ParseUntil(u[0]) : (DateTimeOffset?)null;
        var labels = filters.TryGetValue("label", out var l) ? l : [];
        var removed = await containers.PruneAsync(c =>
            (until is null || c.Record.Created < until) &&
            labels.All(label => label.Split('=', 2) is var kv && c.Record.Config.Labels is { } lbl &&
                                (kv.Length == 1 ? lbl.ContainsKey(kv[0]) : lbl.TryGetValue(kv[0], out var v) && v == kv[1])),
            cancellationToken).ConfigureAwait(false);
        await response.WriteJsonAsync(200, new ContainerPruneResponse { ContainersDeleted = removed, SpaceReclaimed = 0 },
            ApiJsonContext.Default.ContainerPruneResponse, cancellationToken).ConfigureAwait(false);
    }

    private static DateTimeOffset ParseUntil(string value) =>
        long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t) ? t
            : throw Errors.EngineException.InvalidParameter($"invalid until filter: {value}");
}

/// <summary>/containers/{id}/stats, /top and /update.</summary>
public sealed class ContainerInspectionEndpoints(ContainerService containers)
{
    public void Map(Router router)
    {
        router
            .Map("GET", "/containers/{id}/stats", StatsAsync)
            .Map("GET", "/containers/{id}/top", TopAsync)
            .Map("POST", "/containers/{id}/update", UpdateAsync)
            .Map("GET", "/containers/{id}/changes", ChangesAsync)
            .Map("GET", "/containers/{id}/export", ExportAsync);
    }

    private Task ChangesAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken) =>
        response.WriteJsonAsync(200, containers.Changes(request.Route("id")), ApiJsonContext.Default.ListContainerChange, cancellationToken);

    private async Task ExportAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        await containers.ExportAsync(request.Route("id"), () => response.StartChunkedAsync(200, "application/x-tar", cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    private async Task StatsAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        var id = request.Route("id");
        _ = containers.Store.Get(id); // 404 before the 200
        var stream = request.QueryBool("stream", defaultValue: true);
        var body = await response.StartChunkedAsync(200, "application/json", cancellationToken).ConfigureAwait(false);
        await containers.StatsAsync(id, stream, request.QueryBool("one-shot"), async stats =>
        {
            var bytes = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(stats, ApiJsonContext.Default.ContainerStats);
            await body.WriteAsync((byte[])[.. bytes, (byte)'\n'], cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task TopAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        var top = await containers.TopAsync(request.Route("id"), cancellationToken).ConfigureAwait(false);
        await response.WriteJsonAsync(200, top, ApiJsonContext.Default.ContainerTopResponse, cancellationToken).ConfigureAwait(false);
    }

    private async Task UpdateAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        var body = await RequireJsonAsync(request, ApiJsonContext.Default.ContainerUpdateRequest, cancellationToken).ConfigureAwait(false);
        var result = await containers.UpdateAsync(request.Route("id"), body, cancellationToken).ConfigureAwait(false);
        await response.WriteJsonAsync(200, result, ApiJsonContext.Default.ContainerUpdateResponse, cancellationToken).ConfigureAwait(false);
    }
}
