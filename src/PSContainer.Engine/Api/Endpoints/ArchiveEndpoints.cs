using System.Text.Json;
using PSContainer.Api;
using PSContainer.Engine.Api.Http;
using PSContainer.Engine.Daemon.Containers;
using PSContainer.Engine.Errors;

namespace PSContainer.Engine.Api.Endpoints;

/// <summary>
/// /containers/{id}/archive, the API under docker cp: HEAD stats a path (the answer is the
/// X-Docker-Container-Path-Stat header: base64 of {name, size, mode, mtime, linkTarget}), GET
/// returns the path as a tar with that header, PUT unpacks a tar into a directory.
/// </summary>
public sealed class ArchiveEndpoints(ContainerService containers)
{
    public const string PathStatHeader = "X-Docker-Container-Path-Stat";

    public void Map(Router router)
    {
        router
            .Map("HEAD", "/containers/{id}/archive", StatAsync)
            .Map("GET", "/containers/{id}/archive", GetAsync)
            .Map("PUT", "/containers/{id}/archive", PutAsync);
    }

    private async Task StatAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        var stat = await containers.StatPathAsync(request.Route("id"), RequirePath(request), cancellationToken).ConfigureAwait(false);
        response.Headers[PathStatHeader] = EncodeStat(stat);
        await response.WriteEmptyAsync(200, cancellationToken).ConfigureAwait(false);
    }

    private Task GetAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken) =>
        containers.ArchivePathAsync(request.Route("id"), RequirePath(request), stat =>
        {
            response.Headers[PathStatHeader] = EncodeStat(stat);
            return response.StartChunkedAsync(200, "application/x-tar", cancellationToken);
        }, cancellationToken);

    private async Task PutAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        try
        {
            await containers.ExtractToDirectoryAsync(request.Route("id"), RequirePath(request), request.Body,
                request.QueryBool("noOverwriteDirNonDir"), request.QueryBool("copyUIDGID"), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The client is still sending the tar: read a bounded amount more, so it gets to read
            // the error instead of failing on a connection closed under its upload.
            await DrainAsync(request.Body, MaxDrainBytes, cancellationToken).ConfigureAwait(false);
            throw;
        }
        await response.WriteEmptyAsync(200, cancellationToken).ConfigureAwait(false);
    }

    private const int MaxDrainBytes = 4 << 20;

    private static async Task DrainAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            for (var total = 0; total < limit;)
            {
                var n = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    return;
                }
                total += n;
            }
        }
        catch (IOException)
        {
            // The client went away: nothing left to tell it.
        }
    }

    private static string RequirePath(HttpRequest request) =>
        request.QueryValue("path") is { Length: > 0 } path ? path : throw EngineException.InvalidParameter("bad parameter: path cannot be empty");

    /// <summary>The header value: standard base64 of the stat's JSON.</summary>
    public static string EncodeStat(ContainerPathStat stat) =>
        Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(stat, ApiJsonContext.Default.ContainerPathStat));
}
