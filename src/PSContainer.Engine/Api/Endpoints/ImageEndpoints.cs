using System.Text.Json;
using PSContainer.Api;
using PSContainer.Engine.Api.Http;
using PSContainer.Engine.Daemon.Images;
using PSContainer.Engine.Errors;

namespace PSContainer.Engine.Api.Endpoints;

/// <summary>/images/...: load, save, list, inspect, history, tag, remove, prune.</summary>
public sealed class ImageEndpoints(ImageService images)
{
    public void Map(Router router)
    {
        router
            .Map("GET", "/images/json", ListAsync)
            .Map("POST", "/images/load", LoadAsync)
            .Map("GET", "/images/get", SaveManyAsync)
            .Map("POST", "/images/prune", PruneAsync)
            .Map("POST", "/images/create", CreateAsync)
            .Map("GET", "/images/{name*}/json", InspectAsync)
            .Map("GET", "/images/{name*}/history", HistoryAsync)
            .Map("GET", "/images/{name*}/get", SaveOneAsync)
            .Map("POST", "/images/{name*}/tag", TagAsync)
            .Map("DELETE", "/images/{name*}", RemoveAsync);
    }

    private Task ListAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        var filters = new ImageFilters(QueryFilters.Parse(request), name => images.Store.TryGet(name, out var i) ? i : null);
        return response.WriteJsonAsync(200, images.List(request.QueryBool("all"), filters), ApiJsonContext.Default.ListImageSummary, cancellationToken);
    }

    /// <summary>docker load: the tar is the body; the answer is a JSON-lines progress stream ending in "Loaded image: ...".</summary>
    private async Task LoadAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        var quiet = request.QueryBool("quiet");
        var stream = await response.StartChunkedAsync(200, "application/json", cancellationToken).ConfigureAwait(false);
        var lines = new List<string>();
        var progress = quiet ? null : new Progress<string>(line =>
        {
            lock (lines)
            {
                lines.Add(line);
            }
        });
        try
        {
            var result = await images.LoadAsync(request.Body, progress, cancellationToken).ConfigureAwait(false);
            foreach (var message in result.Messages)
            {
                await WriteProgressAsync(stream, new ProgressMessage { Stream = message.EndsWith('\n') ? message : message + "\n" }, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The 200 is out: Docker reports the failure as the stream's last line.
            var message = ErrorMapping.Classify(e).Message;
            await WriteProgressAsync(stream, new ProgressMessage { Error = message, ErrorDetail = new ErrorDetail { Message = message } }, cancellationToken).ConfigureAwait(false);
        }
    }

    internal static async Task WriteProgressAsync(Stream stream, ProgressMessage message, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(message, ApiJsonContext.Default.ProgressMessage);
        await stream.WriteAsync((byte[])[.. bytes, (byte)'\n'], cancellationToken).ConfigureAwait(false);
    }

    private Task SaveManyAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        var names = request.Query.TryGetValue("names", out var values) ? values : [];
        if (names.Count == 0)
        {
            throw EngineException.InvalidParameter("no image names given");
        }
        return SaveAsync(names, response, cancellationToken);
    }

    private Task SaveOneAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken) =>
        SaveAsync([request.Route("name")], response, cancellationToken);

    private async Task SaveAsync(IReadOnlyList<string> names, HttpResponse response, CancellationToken cancellationToken)
    {
        foreach (var name in names)
        {
            _ = images.Store.Get(name);
        }
        var stream = await response.StartChunkedAsync(200, "application/x-tar", cancellationToken).ConfigureAwait(false);
        await images.SaveAsync(names, stream, cancellationToken).ConfigureAwait(false);
    }

    private Task InspectAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken) =>
        response.WriteJsonAsync(200, images.Inspect(request.Route("name")), ApiJsonContext.Default.ImageInspect, cancellationToken);

    private Task HistoryAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken) =>
        response.WriteJsonAsync(200, images.History(request.Route("name")), ApiJsonContext.Default.ListImageHistoryItem, cancellationToken);

    private async Task TagAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        images.Tag(request.Route("name"), request.QueryValue("repo") ?? "", request.QueryValue("tag"));
        await response.WriteEmptyAsync(201, cancellationToken).ConfigureAwait(false);
    }

    private Task RemoveAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken) =>
        response.WriteJsonAsync(200, images.Remove(request.Route("name"), request.QueryBool("force"), request.QueryBool("noprune")),
            ApiJsonContext.Default.ListImageDeleteItem, cancellationToken);

    private Task PruneAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        var filters = QueryFilters.Parse(request);
        var all = filters.TryGetValue("dangling", out var dangling) && dangling.Contains("false");
        return response.WriteJsonAsync(200, images.Prune(all), ApiJsonContext.Default.ImagePruneResponse, cancellationToken);
    }

    /// <summary>
    /// docker import (fromSrc=- with the tar as the body): a one-layer image from a rootfs tarball.
    /// docker pull (fromImage) needs the distribution service, which is another issue: 404 as a
    /// registry that does not have the image would answer, so the CLI says so.
    /// </summary>
    private async Task CreateAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        var fromSrc = request.QueryValue("fromSrc");
        if (fromSrc is null)
        {
            var from = request.QueryValue("fromImage");
            throw EngineException.NotFound($"pull access denied for {from}: this engine cannot reach a registry yet (pulling is not implemented); use docker load");
        }
        if (fromSrc != "-")
        {
            throw EngineException.NotImplemented("importing from a URL is not supported; send the tarball in the request body (fromSrc=-)");
        }
        var repo = request.QueryValue("repo");
        var tag = request.QueryValue("tag");
        var reference = string.IsNullOrEmpty(repo) ? null : string.IsNullOrEmpty(tag) ? repo : $"{repo}:{tag}";
        var changes = request.Query.TryGetValue("changes", out var c) ? c : [];
        var stream = await response.StartChunkedAsync(200, "application/json", cancellationToken).ConfigureAwait(false);
        try
        {
            var image = await images.ImportAsync(request.Body, reference, request.QueryValue("message"), changes, cancellationToken).ConfigureAwait(false);
            await WriteProgressAsync(stream, new ProgressMessage { Status = image.Id.ToString() }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var message = ErrorMapping.Classify(e).Message;
            await WriteProgressAsync(stream, new ProgressMessage { Error = message, ErrorDetail = new ErrorDetail { Message = message } }, cancellationToken).ConfigureAwait(false);
        }
    }
}
