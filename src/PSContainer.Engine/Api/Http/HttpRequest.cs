using System.Globalization;

namespace PSContainer.Engine.Api.Http;

/// <summary>One parsed HTTP/1.1 request. The body is read by the handler (or drained by the server).</summary>
public sealed class HttpRequest
{
    internal HttpRequest(string method, string target, string path, IReadOnlyDictionary<string, List<string>> query,
        IReadOnlyDictionary<string, string> headers, Stream body)
    {
        Method = method;
        Target = target;
        Path = path;
        Query = query;
        Headers = headers;
        Body = body;
    }

    public string Method { get; }

    /// <summary>The request target as sent (path and query).</summary>
    public string Target { get; }

    /// <summary>The decoded path without the /vX.Y prefix.</summary>
    public string Path { get; internal set; }

    /// <summary>The API version from the /vX.Y prefix, or null when the client sent none.</summary>
    public string? ApiVersion { get; internal set; }

    public IReadOnlyDictionary<string, List<string>> Query { get; }

    /// <summary>Header names compare without regard to case; repeated headers are joined with ", ".</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    public Stream Body { get; }

    /// <summary>Values captured by the route template ({id}, {name*}).</summary>
    public IReadOnlyDictionary<string, string> RouteValues { get; internal set; } = new Dictionary<string, string>();

    public bool IsHead => Method == "HEAD";

    /// <summary>Docker asks for a raw stream with "Connection: Upgrade" and "Upgrade: tcp".</summary>
    public bool WantsUpgrade =>
        Headers.TryGetValue("Upgrade", out var upgrade) && upgrade.Length > 0 &&
        Headers.TryGetValue("Connection", out var connection) && connection.Contains("upgrade", StringComparison.OrdinalIgnoreCase);

    public string Route(string name) => RouteValues[name];

    public string? QueryValue(string name) =>
        Query.TryGetValue(name, out var values) && values.Count > 0 ? values[^1] : null;

    /// <summary>Docker's boolean query values: 1/true/True are true, 0/false/"" are false.</summary>
    public bool QueryBool(string name, bool defaultValue = false)
    {
        var value = QueryValue(name);
        if (value is null)
        {
            return defaultValue;
        }
        return value.ToUpperInvariant() switch
        {
            "1" or "TRUE" or "YES" => true,
            "0" or "FALSE" or "NO" or "" => false,
            _ => throw Errors.EngineException.InvalidParameter($"invalid boolean value for query parameter {name}: \"{value}\""),
        };
    }

    public long? QueryInt64(string name)
    {
        var value = QueryValue(name);
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        return long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw Errors.EngineException.InvalidParameter($"invalid integer value for query parameter {name}: \"{value}\"");
    }
}
