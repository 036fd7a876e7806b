using PSContainer.Api;
using PSContainer.Engine.Api.Http;
using PSContainer.Engine.Daemon.Volumes;
using static PSContainer.Engine.Api.Endpoints.EndpointHelpers;

namespace PSContainer.Engine.Api.Endpoints;

/// <summary>/volumes/...: Docker's volume API over the volume service.</summary>
public sealed class VolumeEndpoints(VolumeService volumes)
{
    public void Map(Router router)
    {
        router
            .Map("GET", "/volumes", ListAsync)
            .Map("POST", "/volumes/create", CreateAsync)
            .Map("POST", "/volumes/prune", PruneAsync)
            .Map("GET", "/volumes/{name}", InspectAsync)
            .Map("DELETE", "/volumes/{name}", RemoveAsync);
    }

    private Task ListAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken) =>
        response.WriteJsonAsync(200, volumes.List(VolumeFilters.ForList(QueryFilters.Parse(request))), ApiJsonContext.Default.VolumeListResponse, cancellationToken);

    private async Task CreateAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        var body = await ReadJsonAsync(request, ApiJsonContext.Default.VolumeCreateRequest, cancellationToken).ConfigureAwait(false) ?? new VolumeCreateRequest();
        await response.WriteJsonAsync(201, volumes.Create(body), ApiJsonContext.Default.VolumeSummary, cancellationToken).ConfigureAwait(false);
    }

    private Task InspectAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken) =>
        response.WriteJsonAsync(200, volumes.Inspect(request.Route("name")), ApiJsonContext.Default.VolumeSummary, cancellationToken);

    private async Task RemoveAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        volumes.Remove(request.Route("name"), request.QueryBool("force"));
        await response.WriteEmptyAsync(204, cancellationToken).ConfigureAwait(false);
    }

    private Task PruneAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        // Before API 1.42 a prune removed every unused volume; since then only anonymous ones unless all=true.
        var allByDefault = request.ApiVersion is { } version && ApiVersion.Compare(version, "1.42") < 0;
        var pruned = volumes.Prune(VolumeFilters.ForPrune(QueryFilters.Parse(request)), allByDefault);
        return response.WriteJsonAsync(200, pruned, ApiJsonContext.Default.VolumePruneResponse, cancellationToken);
    }
}
