using System.Text.RegularExpressions;
using PSContainer.Engine.Core.Volumes;
using PSContainer.Engine.Errors;

namespace PSContainer.Engine.Daemon.Volumes;

/// <summary>
/// Docker's volume filters. List: name (a regular expression, unanchored), driver, label
/// (key or key=value), dangling (true|false|1|0). Prune: label, label!, all (API 1.42+: without
/// all=true only anonymous volumes are pruned). Every value of one key is an alternative; keys combine with and.
/// </summary>
public sealed class VolumeFilters
{
    private static readonly string[] ListKeys = ["name", "driver", "label", "dangling"];
    private static readonly string[] PruneKeys = ["label", "label!", "all"];
    private readonly Dictionary<string, List<string>> _filters;

    private VolumeFilters(Dictionary<string, List<string>> filters) => _filters = filters;

    public static VolumeFilters ForList(Dictionary<string, List<string>> filters)
    {
        Validate(filters, ListKeys);
        foreach (var value in filters.GetValueOrDefault("dangling") ?? [])
        {
            _ = ParseBool("dangling", value);
        }
        return new VolumeFilters(filters);
    }

    public static VolumeFilters ForPrune(Dictionary<string, List<string>> filters)
    {
        Validate(filters, PruneKeys);
        foreach (var value in filters.GetValueOrDefault("all") ?? [])
        {
            _ = ParseBool("all", value);
        }
        return new VolumeFilters(filters);
    }

    /// <summary>all=true in a prune: every unused volume, not only anonymous ones.</summary>
    public bool All => _filters.TryGetValue("all", out var values) && values.Any(v => ParseBool("all", v));

    public bool Matches(VolumeInfo volume, bool inUse)
    {
        if (_filters.TryGetValue("name", out var names) && names.Count > 0 && !names.Any(n => NameMatches(n, volume.Name)))
        {
            return false;
        }
        if (_filters.TryGetValue("driver", out var drivers) && drivers.Count > 0 && !drivers.Contains(volume.Record.Driver))
        {
            return false;
        }
        if (_filters.TryGetValue("label", out var labels) && !labels.All(l => LabelMatches(l, volume.Record.Labels)))
        {
            return false;
        }
        if (_filters.TryGetValue("label!", out var notLabels) && notLabels.Any(l => LabelMatches(l, volume.Record.Labels)))
        {
            return false;
        }
        if (_filters.TryGetValue("dangling", out var dangling) && dangling.Count > 0 && !dangling.Any(d => ParseBool("dangling", d) == !inUse))
        {
            return false;
        }
        return true;
    }

    private static bool NameMatches(string pattern, string name)
    {
        try
        {
            return Regex.IsMatch(name, pattern, RegexOptions.None, TimeSpan.FromMilliseconds(100));
        }
        catch (ArgumentException)
        {
            return name.Contains(pattern, StringComparison.Ordinal);
        }
    }

    private static bool LabelMatches(string filter, Dictionary<string, string> labels)
    {
        var eq = filter.IndexOf('=', StringComparison.Ordinal);
        return eq < 0
            ? labels.ContainsKey(filter)
            : labels.TryGetValue(filter[..eq], out var value) && value == filter[(eq + 1)..];
    }

    private static void Validate(Dictionary<string, List<string>> filters, string[] allowed)
    {
        foreach (var key in filters.Keys)
        {
            if (!allowed.Contains(key))
            {
                throw EngineException.InvalidParameter($"invalid filter '{key}'");
            }
        }
    }

    private static bool ParseBool(string key, string value) => value.ToUpperInvariant() switch
    {
        "1" or "TRUE" => true,
        "0" or "FALSE" => false,
        _ => throw EngineException.InvalidParameter($"invalid filter '{key}={value}'"),
    };
}
