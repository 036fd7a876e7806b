using PSContainer.Api;
using PSContainer.Engine.Api.Http;
using PSContainer.Engine.Daemon.Containers;
using static PSContainer.Engine.Api.Endpoints.EndpointHelpers;

namespace PSContainer.Engine.Api.Endpoints;

/// <summary>/containers/{id}/exec and /exec/{id}/...</summary>
public sealed class ExecEndpoints(ContainerService containers)
{
    public void Map(Router router)
    {
        router
            .Map("POST", "/containers/{id}/exec", CreateAsync)
            .Map("POST", "/exec/{id}/start", StartAsync)
            .Map("POST", "/exec/{id}/resize", ResizeAsync)
            .Map("GET", "/exec/{id}/json", InspectAsync);
    }

    private async Task CreateAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        var body = await RequireJsonAsync(request, ApiJsonContext.Default.ExecCreateRequest, cancellationToken).ConfigureAwait(false);
        var created = containers.CreateExec(request.Route("id"), body);
        await response.WriteJsonAsync(201, created, ApiJsonContext.Default.ExecCreateResponse, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Detached: 200 when it runs. Attached: the connection is hijacked (101 or 200) and carries the streams.</summary>
    private async Task StartAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        var body = await ReadJsonAsync(request, ApiJsonContext.Default.ExecStartRequest, cancellationToken).ConfigureAwait(false) ?? new ExecStartRequest();
        var exec = containers.GetExec(request.Route("id"));
        if (body.Detach)
        {
            await containers.StartExecAsync(exec.Id, detach: true, connection: null, cancellationToken).ConfigureAwait(false);
            await response.WriteEmptyAsync(200, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (exec.Started)
        {
            throw Errors.EngineException.Conflict($"Error: Exec command {exec.Id} has already run");
        }
        var tty = exec.Config.Tty;
        // Docker takes the keys from exec create; a start body may override them (400 before hijacking).
        var detachKeys = ContainerService.ParseDetachKeys(string.IsNullOrEmpty(body.DetachKeys) ? exec.Config.DetachKeys : body.DetachKeys);
        var connection = await response.HijackAsync(request.WantsUpgrade,
            tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream", cancellationToken).ConfigureAwait(false);
        try
        {
            await containers.StartExecAsync(exec.Id, detach: false, connection, cancellationToken, detachKeys).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The status line is gone already: report on the stream, as dockerd does.
            var writer = new Daemon.Streams.StdStreamWriter(connection.Stream, multiplexed: !tty);
            await writer.WriteAsync(Daemon.Streams.StdStream.Stderr, System.Text.Encoding.UTF8.GetBytes(Errors.ErrorMapping.Classify(e).Message + "\n"), cancellationToken).ConfigureAwait(false);
        }
        connection.CloseOutput();
    }

    private async Task ResizeAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        var (height, width) = ContainerEndpoints.Size(request);
        await containers.ResizeExecAsync(request.Route("id"), height, width, cancellationToken).ConfigureAwait(false);
        await response.WriteEmptyAsync(200, cancellationToken).ConfigureAwait(false);
    }

    private Task InspectAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken) =>
        response.WriteJsonAsync(200, containers.InspectExec(request.Route("id")), ApiJsonContext.Default.ExecInspect, cancellationToken);
}
