using PSContainer.Api;
using PSContainer.Engine.Api.Http;
using PSContainer.Engine.Daemon.Containers;
using PSContainer.Engine.Errors;
using static PSContainer.Engine.Api.Endpoints.EndpointHelpers;

namespace PSContainer.Engine.Api.Endpoints;

/// <summary>POST /commit?container=&amp;repo=&amp;tag=&amp;comment=&amp;author=&amp;pause=&amp;changes= (docker commit); the body is an optional config.</summary>
public sealed class CommitEndpoints(CommitService commits)
{
    public void Map(Router router) => router.Map("POST", "/commit", CommitAsync);

    private async Task CommitAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        var container = request.QueryValue("container");
        if (string.IsNullOrEmpty(container))
        {
            throw EngineException.InvalidParameter("bad parameter: container cannot be empty");
        }
        var config = await ReadJsonAsync(request, ApiJsonContext.Default.ContainerConfig, cancellationToken).ConfigureAwait(false);
        var image = await commits.CommitAsync(new CommitRequest(
            container,
            request.QueryValue("repo"),
            request.QueryValue("tag"),
            request.QueryValue("comment"),
            request.QueryValue("author"),
            Pause: request.QueryBool("pause", defaultValue: true),
            Changes: request.Query.TryGetValue("changes", out var changes) ? changes : [],
            Config: config), cancellationToken).ConfigureAwait(false);
        await response.WriteJsonAsync(201, new IdResponse { Id = image.Id.ToString() }, ApiJsonContext.Default.IdResponse, cancellationToken).ConfigureAwait(false);
    }
}
