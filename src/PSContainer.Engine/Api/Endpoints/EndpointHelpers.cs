using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using PSContainer.Engine.Api.Http;
using PSContainer.Engine.Errors;

namespace PSContainer.Engine.Api.Endpoints;

internal static class EndpointHelpers
{
    /// <summary>The JSON body, or null when there is none (Docker clients send no body for defaults).</summary>
    public static async Task<T?> ReadJsonAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken) where T : class
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (buffer.Length == 0)
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), typeInfo);
        }
        catch (JsonException e)
        {
            throw EngineException.InvalidParameter($"invalid JSON body: {e.Message}", e);
        }
    }

    /// <summary>A JSON body that must be present.</summary>
    public static async Task<T> RequireJsonAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken) where T : class =>
        await ReadJsonAsync(request, typeInfo, cancellationToken).ConfigureAwait(false)
        ?? throw EngineException.InvalidParameter("a JSON request body is required");

    public static int? QueryInt32(HttpRequest request, string name)
    {
        var value = request.QueryInt64(name);
        return value is null ? null : value is >= int.MinValue and <= int.MaxValue ? (int)value : throw EngineException.InvalidParameter($"{name} out of range");
    }

    /// <summary>Docker timestamps in queries: Unix seconds with optional fraction ("1700000000.5"), or RFC 3339.</summary>
    public static DateTimeOffset? QueryTime(HttpRequest request, string name)
    {
        var value = request.QueryValue(name);
        if (string.IsNullOrEmpty(value) || value == "0")
        {
            return null;
        }
        if (decimal.TryParse(value, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
        {
            var whole = (long)decimal.Truncate(seconds);
            var nanos = (long)((seconds - whole) * 1_000_000_000m);
            return DateTimeOffset.FromUnixTimeSeconds(whole).AddTicks(nanos / 100);
        }
        return DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw EngineException.InvalidParameter($"invalid value for {name}: \"{value}\"");
    }
}
