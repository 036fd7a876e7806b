using System.Net;
using System.Text.Json;
using PSContainer.Engine.Core.Errdefs;

namespace PSContainer.Engine.Core.Distribution;

/// <summary>
/// Turns a registry's error answer into a <see cref="CoreException"/> whose message carries the
/// registry's own error code (MANIFEST_UNKNOWN, NAME_UNKNOWN, UNAUTHORIZED, TOOMANYREQUESTS, …).
/// </summary>
public sealed class RegistryException(CoreErrorKind kind, HttpStatusCode status, string message) : CoreException(kind, message)
{
    /// <summary>The registry's HTTP status.</summary>
    public HttpStatusCode Status { get; } = status;
}

internal static class RegistryErrors
{
    public static async Task<RegistryException> FromResponseAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        string body;
        try
        {
            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            body = "";
        }
        return FromStatus(response.StatusCode, body, what);
    }

    public static RegistryException FromStatus(HttpStatusCode status, string body, string what)
    {
        var detail = Describe(body);
        var code = (int)status;
        var suffix = detail is null ? $"HTTP {code}" : $"{detail} (HTTP {code})";
        return status switch
        {
            HttpStatusCode.Unauthorized => new RegistryException(CoreErrorKind.FailedPrecondition, status, $"{what}: authentication required: {suffix}"),
            HttpStatusCode.Forbidden => new RegistryException(CoreErrorKind.FailedPrecondition, status, $"{what}: access denied: {suffix}"),
            HttpStatusCode.NotFound => new RegistryException(CoreErrorKind.NotFound, status, $"{what}: not found: {suffix}"),
            HttpStatusCode.TooManyRequests => new RegistryException(CoreErrorKind.Unavailable, status, $"{what}: the registry is rate limiting requests: {suffix}"),
            >= HttpStatusCode.InternalServerError => new RegistryException(CoreErrorKind.Unavailable, status, $"{what}: registry server error: {suffix}"),
            _ => new RegistryException(CoreErrorKind.InvalidArgument, status, $"{what}: the registry refused the request: {suffix}"),
        };
    }

    /// <summary>"CODE: message; CODE2: message2" from a distribution error body, or null when the body is not one.</summary>
    internal static string? Describe(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }
        try
        {
            var parsed = JsonSerializer.Deserialize(body, DistributionJsonContext.Default.RegistryErrorBody);
            if (parsed?.Errors is { Count: > 0 } errors)
            {
                return string.Join("; ", errors.Select(e => string.IsNullOrEmpty(e.Message) ? e.Code : $"{e.Code}: {e.Message}"));
            }
        }
        catch (JsonException)
        {
            // not JSON: fall through to the text itself
        }
        var text = body.Trim();
        return text.Length > 200 ? text[..200] + "…" : text;
    }
}
