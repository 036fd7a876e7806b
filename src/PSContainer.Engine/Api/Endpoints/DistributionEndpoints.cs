using System.Threading.Channels;
using PSContainer.Api;
using PSContainer.Engine.Api.Http;
using PSContainer.Engine.Core.Distribution;
using PSContainer.Engine.Core.Events;
using PSContainer.Engine.Errors;
using PSContainer.Oci;

namespace PSContainer.Engine.Api.Endpoints;

/// <summary>
/// docker pull (POST /images/create?fromImage=), docker push (POST /images/{name}/push) and docker login (POST /auth). /images/create
/// without fromImage (docker import, fromSrc=) goes on to the image endpoints' own handler, so
/// these routes must be mapped before <paramref name="imageEndpoints"/>' routes.
/// </summary>
public sealed class DistributionEndpoints(DistributionService distribution, EventExchange events, ImageEndpoints imageEndpoints)
{
    private RequestHandler? _importHandler;

    public void Map(Router router)
    {
        // The image endpoints' /images/create handler, looked up on a scratch router of their routes.
        var imageRoutes = new Router();
        imageEndpoints.Map(imageRoutes);
        _importHandler = imageRoutes.Match("POST", "/images/create", out _, out _)
            ?? throw new InvalidOperationException("the image endpoints map no POST /images/create");
        router
            .Map("POST", "/images/create", CreateAsync)
            .Map("POST", "/images/{name*}/push", PushAsync)
            .Map("POST", "/auth", LoginAsync);
    }

    private Task CreateAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken) =>
        string.IsNullOrEmpty(request.QueryValue("fromImage"))
            ? _importHandler!(request, response, cancellationToken)
            : PullAsync(request, response, cancellationToken);

    /// <summary>
    /// docker pull: streams Docker's JSON-lines progress while the pull runs; a failure after the
    /// 200 is the stream's last line (error and errorDetail), as Docker does it.
    /// </summary>
    private Task PullAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        var reference = ReferenceOf(request.QueryValue("fromImage")!, request.QueryValue("tag"));
        var platform = ParsePlatform(request.QueryValue("platform"));
        var credentials = RegistryCredentials.FromRegistryAuthHeader(request.Headers.GetValueOrDefault("X-Registry-Auth"));
        return StreamAsync(response, async progress =>
        {
            await distribution.PullAsync(reference, platform, credentials, progress, cancellationToken).ConfigureAwait(false);
            events.Publish("image", "pull", reference, new Dictionary<string, string> { ["name"] = reference });
        }, cancellationToken);
    }

    /// <summary>docker push: the image's name in the path, the tag as a query value (latest when absent).</summary>
    private Task PushAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        var reference = ReferenceOf(request.Route("name"), request.QueryValue("tag"));
        var credentials = RegistryCredentials.FromRegistryAuthHeader(request.Headers.GetValueOrDefault("X-Registry-Auth"));
        return StreamAsync(response, async progress =>
        {
            await distribution.PushAsync(reference, credentials, progress, cancellationToken).ConfigureAwait(false);
            events.Publish("image", "push", reference, new Dictionary<string, string> { ["name"] = reference });
        }, cancellationToken);
    }

    /// <summary>Runs <paramref name="work"/> and writes its progress as JSON lines, in order, while it runs.</summary>
    private static async Task StreamAsync(HttpResponse response, Func<IProgress<TransferProgress>, Task> work, CancellationToken cancellationToken)
    {
        var stream = await response.StartChunkedAsync(200, "application/json", cancellationToken).ConfigureAwait(false);
        var lines = Channel.CreateUnbounded<ProgressMessage>(new UnboundedChannelOptions { SingleReader = true });
        var progress = new ChannelProgress(lines.Writer);
        var pull = Task.Run(async () =>
        {
            try
            {
                await work(progress).ConfigureAwait(false);
            }
            finally
            {
                lines.Writer.TryComplete();
            }
        }, cancellationToken);
        await foreach (var line in lines.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await ImageEndpoints.WriteProgressAsync(stream, line, cancellationToken).ConfigureAwait(false);
        }
        try
        {
            await pull.ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var message = ErrorMapping.Classify(e).Message;
            await ImageEndpoints.WriteProgressAsync(stream, new ProgressMessage { Error = message, ErrorDetail = new ErrorDetail { Message = message } }, cancellationToken)
                .ConfigureAwait(false);
        }
    }

    /// <summary>docker login: checks the credentials against the registry's /v2/.</summary>
    private async Task LoginAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        var config = await EndpointHelpers.ReadJsonAsync(request, ApiJsonContext.Default.AuthConfig, cancellationToken).ConfigureAwait(false)
            ?? throw EngineException.InvalidParameter("POST /auth: the body must be an AuthConfig object");
        var credentials = new RegistryCredentials
        {
            Username = config.Username,
            Password = config.Password,
            Auth = config.Auth,
            ServerAddress = config.ServerAddress,
            IdentityToken = config.IdentityToken,
            RegistryToken = config.RegistryToken,
        };
        if (!credentials.HasSecret)
        {
            throw EngineException.InvalidParameter("POST /auth: no username or token given");
        }
        try
        {
            await distribution.LoginAsync(credentials, cancellationToken).ConfigureAwait(false);
        }
        catch (RegistryException e) when (e.Status is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden)
        {
            // dockerd answers a refused login with 401; the registry's own message says why.
            throw new EngineException(e.Status == System.Net.HttpStatusCode.Unauthorized ? EngineErrorKind.Unauthorized : EngineErrorKind.Forbidden, e.Message, e);
        }
        await response.WriteJsonAsync(200, new AuthResponse { Status = "Login Succeeded" }, ApiJsonContext.Default.AuthResponse, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>fromImage with the CLI's separate tag: "busybox"+"1.36" → busybox:1.36; a digest tag → name@digest.</summary>
    internal static string ReferenceOf(string fromImage, string? tag)
    {
        if (string.IsNullOrEmpty(tag))
        {
            return fromImage;
        }
        return Digest.TryParse(tag, out _) ? $"{fromImage}@{tag}" : $"{fromImage}:{tag}";
    }

    /// <summary>"linux/amd64", "linux/arm64/v8", "amd64" (linux implied); null for none.</summary>
    internal static Platform? ParsePlatform(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        var parts = value.Trim().Split('/');
        return parts.Length switch
        {
            1 => new Platform { OS = "linux", Architecture = parts[0] },
            2 => new Platform { OS = parts[0], Architecture = parts[1] },
            3 => new Platform { OS = parts[0], Architecture = parts[1], Variant = parts[2] },
            _ => throw EngineException.InvalidParameter($"invalid platform \"{value}\": expected os/arch[/variant]"),
        };
    }

    /// <summary>Turns pull steps into the API's progress lines, in the order they happen.</summary>
    private sealed class ChannelProgress(ChannelWriter<ProgressMessage> writer) : IProgress<TransferProgress>
    {
        public void Report(TransferProgress value) => writer.TryWrite(new ProgressMessage
        {
            Id = value.Id,
            Status = value.Status,
            ProgressDetail = value.Current is null ? null : new ProgressDetail { Current = value.Current, Total = value.Total },
        });
    }
}
