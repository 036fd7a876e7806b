using PSContainer.Engine.Errors;

namespace PSContainer.Engine.Daemon.Networks;

/// <summary>
/// `docker network ls --filter`: name (substring), id (prefix), driver, label (key or key=value),
/// type (custom|builtin), scope (local), dangling (true: a custom network no container is attached to). Values of one
/// key are alternatives; different keys must all match.
/// </summary>
public sealed class NetworkFilters
{
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal) { "name", "id", "driver", "label", "type", "scope", "dangling" };
    private readonly Dictionary<string, List<string>> _filters;

    public NetworkFilters(Dictionary<string, List<string>> filters, IReadOnlySet<string>? pruneKeys = null)
    {
        foreach (var key in filters.Keys)
        {
            if (!Known.Contains(key) && pruneKeys?.Contains(key) != true)
            {
                throw EngineException.InvalidParameter($"invalid filter '{key}'");
            }
        }
        foreach (var type in filters.GetValueOrDefault("type") ?? [])
        {
            if (type is not ("custom" or "builtin"))
            {
                throw EngineException.InvalidParameter($"invalid filter: 'type'='{type}'");
            }
        }
        foreach (var dangling in filters.GetValueOrDefault("dangling") ?? [])
        {
            if (!bool.TryParse(dangling, out _) && dangling is not ("1" or "0"))
            {
                throw EngineException.InvalidParameter($"invalid filter 'dangling={dangling}'");
            }
        }
        _filters = filters;
    }

    public IReadOnlyDictionary<string, List<string>> Values => _filters;

    public bool Matches(NetworkRecord network, bool hasContainers)
    {
        foreach (var (key, values) in _filters)
        {
            if (values.Count == 0)
            {
                continue;
            }
            var ok = key switch
            {
                "name" => values.Any(v => network.Name.Contains(v, StringComparison.Ordinal)),
                "id" => values.Any(v => network.Id.StartsWith(v, StringComparison.Ordinal)),
                "driver" => values.Contains(network.Driver),
                "label" => values.All(v => LabelMatches(network.Labels, v)),
                "type" => values.Any(v => v == (network.Predefined ? "builtin" : "custom")),
                "scope" => values.Contains("local"),
                // Like dockerd, the predefined networks are never dangling.
                "dangling" => values.Any(v => (v is "true" or "1") == (!network.Predefined && !hasContainers)),
                _ => true,
            };
            if (!ok)
            {
                return false;
            }
        }
        return true;
    }

    public static bool LabelMatches(Dictionary<string, string> labels, string filter)
    {
        var eq = filter.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? labels.ContainsKey(filter) : labels.TryGetValue(filter[..eq], out var value) && value == filter[(eq + 1)..];
    }
}
