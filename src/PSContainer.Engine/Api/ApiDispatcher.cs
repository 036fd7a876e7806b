using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using PSContainer.Api;
using PSContainer.Engine.Api.Http;
using PSContainer.Engine.Errors;

namespace PSContainer.Engine.Api;

/// <summary>
/// The API front door: strips and checks the /vX.Y prefix, finds the route, runs the handler,
/// and turns every failure into Docker's error body {"message": ...} with the status of
/// <see cref="ErrorMapping"/>. Adds the headers every Docker response carries.
/// </summary>
public sealed partial class ApiDispatcher(Router router, ILogger<ApiDispatcher> logger)
{
    [GeneratedRegex(@"^/v(\d+\.\d+)(/.*)$")]
    private static partial Regex VersionPrefix();

    public async Task DispatchAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        response.Headers["Api-Version"] = ApiVersion.Current;
        response.Headers["Docker-Experimental"] = "false";
        response.Headers["Ostype"] = "linux";
        try
        {
            var match = VersionPrefix().Match(request.Path);
            if (match.Success)
            {
                var version = match.Groups[1].Value;
                if (ApiVersion.Compare(version, ApiVersion.Minimum) < 0)
                {
                    throw EngineException.InvalidParameter(
                        $"client version {version} is too old. Minimum supported API version is {ApiVersion.Minimum}, please upgrade your client to a newer version");
                }
                if (ApiVersion.Compare(version, ApiVersion.Current) > 0)
                {
                    throw EngineException.InvalidParameter($"client version {version} is too new. Maximum supported API version is {ApiVersion.Current}");
                }
                request.ApiVersion = version;
                request.Path = match.Groups[2].Value;
            }
            var handler = router.Match(request.Method, request.Path, out var values, out var pathKnown);
            if (handler is null)
            {
                throw pathKnown
                    ? new EngineException(EngineErrorKind.InvalidParameter, $"method {request.Method} not allowed for {request.Path}")
                    : EngineException.NotFound($"page not found");
            }
            request.RouteValues = values;
            await handler(request, response, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var (kind, message) = ErrorMapping.Classify(e);
            if (response.Started && e is IOException or System.Net.Sockets.SocketException)
            {
                // The client left while a stream was running (docker logs -f ^C, a wait abandoned).
                logger.LogDebug("{Method} {Target}: client gone: {Message}", request.Method, request.Target, message);
                throw new IOException("client gone", e);
            }
            if (kind == EngineErrorKind.Internal)
            {
                logger.LogError(e, "{Method} {Target}: {Message}", request.Method, request.Target, message);
            }
            else
            {
                logger.LogDebug("{Method} {Target}: {Kind}: {Message}", request.Method, request.Target, kind, message);
            }
            if (response.Started)
            {
                // Headers are out (a stream was running): nothing to do but end the connection.
                throw new IOException($"failed after the response started: {message}", e);
            }
            var status = ErrorMapping.StatusCode(kind);
            if (status == 304)
            {
                await response.WriteEmptyAsync(304, cancellationToken).ConfigureAwait(false);
                return;
            }
            await response.WriteJsonAsync(status, new ErrorResponse { Message = message }, ApiJsonContext.Default.ErrorResponse, cancellationToken).ConfigureAwait(false);
        }
    }
}
