using PSContainer.Api;
using PSContainer.Engine.Api.Http;
using PSContainer.Engine.Daemon.Containers;
using PSContainer.Engine.Daemon.Networks;
using PSContainer.Engine.Errors;
using static PSContainer.Engine.Api.Endpoints.EndpointHelpers;

namespace PSContainer.Engine.Api.Endpoints;

/// <summary>/networks/...: list, inspect, create, remove, prune, connect and disconnect.</summary>
public sealed class NetworkEndpoints(NetworkService networks, ContainerService containers)
{
    public void Map(Router router)
    {
        router
            .Map("GET", "/networks", ListAsync)
            .Map("POST", "/networks/create", CreateAsync)
            .Map("POST", "/networks/prune", PruneAsync)
            .Map("GET", "/networks/{id}", InspectAsync)
            .Map("DELETE", "/networks/{id}", RemoveAsync)
            .Map("POST", "/networks/{id}/connect", ConnectAsync)
            .Map("POST", "/networks/{id}/disconnect", DisconnectAsync);
    }

    private Task ListAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken) =>
        response.WriteJsonAsync(200, networks.List(new NetworkFilters(QueryFilters.Parse(request))), ApiJsonContext.Default.ListNetworkSummary, cancellationToken);

    private Task InspectAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken) =>
        response.WriteJsonAsync(200, networks.Inspect(request.Route("id")), ApiJsonContext.Default.NetworkSummary, cancellationToken);

    private async Task CreateAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        var body = await RequireJsonAsync(request, ApiJsonContext.Default.NetworkCreateRequest, cancellationToken).ConfigureAwait(false);
        var created = networks.Create(body);
        await response.WriteJsonAsync(201, created, ApiJsonContext.Default.NetworkCreateResponse, cancellationToken).ConfigureAwait(false);
    }

    private async Task RemoveAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        networks.Remove(request.Route("id"));
        await response.WriteEmptyAsync(204, cancellationToken).ConfigureAwait(false);
    }

    private Task PruneAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken) =>
        response.WriteJsonAsync(200, new NetworkPruneResponse { NetworksDeleted = networks.Prune(QueryFilters.Parse(request)) },
            ApiJsonContext.Default.NetworkPruneResponse, cancellationToken);

    private async Task ConnectAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        var body = await RequireJsonAsync(request, ApiJsonContext.Default.NetworkConnectRequest, cancellationToken).ConfigureAwait(false);
        var container = string.IsNullOrEmpty(body.Container) ? throw EngineException.InvalidParameter("Container is required") : body.Container;
        await containers.ConnectNetworkAsync(request.Route("id"), container, body.EndpointConfig, cancellationToken).ConfigureAwait(false);
        await response.WriteEmptyAsync(200, cancellationToken).ConfigureAwait(false);
    }

    private async Task DisconnectAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        var body = await RequireJsonAsync(request, ApiJsonContext.Default.NetworkConnectRequest, cancellationToken).ConfigureAwait(false);
        var container = string.IsNullOrEmpty(body.Container) ? throw EngineException.InvalidParameter("Container is required") : body.Container;
        await containers.DisconnectNetworkAsync(request.Route("id"), container, cancellationToken).ConfigureAwait(false);
        await response.WriteEmptyAsync(200, cancellationToken).ConfigureAwait(false);
    }
}
