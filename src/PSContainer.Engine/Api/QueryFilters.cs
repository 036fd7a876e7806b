using System.Text.Json;
using PSContainer.Engine.Api.Http;
using PSContainer.Engine.Errors;

namespace PSContainer.Engine.Api;

/// <summary>
/// The "filters" query parameter: JSON {"key": ["v1", "v2"]} or the older {"key": {"v1": true}}.
/// </summary>
public static class QueryFilters
{
    public static Dictionary<string, List<string>> Parse(HttpRequest request)
    {
        var text = request.QueryValue("filters");
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(text))
        {
            return result;
        }
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw EngineException.InvalidParameter($"invalid filters: {text}");
            }
            foreach (var property in document.RootElement.EnumerateObject())
            {
                var values = new List<string>();
                switch (property.Value.ValueKind)
                {
                    case JsonValueKind.Array:
                        values.AddRange(property.Value.EnumerateArray().Select(v => v.GetString() ?? ""));
                        break;
                    case JsonValueKind.Object:
                        values.AddRange(property.Value.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.True).Select(p => p.Name));
                        break;
                    default:
                        throw EngineException.InvalidParameter($"invalid filter value for '{property.Name}'");
                }
                result[property.Name] = values;
            }
        }
        catch (JsonException e)
        {
            throw EngineException.InvalidParameter($"invalid filters: {e.Message}", e);
        }
        return result;
    }
}
