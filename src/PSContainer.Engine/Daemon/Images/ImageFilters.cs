using PSContainer.Engine.Core.Images;
using PSContainer.Engine.Errors;

namespace PSContainer.Engine.Daemon.Images;

/// <summary>Filters of GET /images/json: dangling, label, reference, before, since.</summary>
public sealed class ImageFilters
{
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal) { "dangling", "label", "reference", "before", "since", "until" };
    private readonly IReadOnlyDictionary<string, List<string>> _filters;
    private readonly Func<string, Image?> _lookup;

    public ImageFilters(IReadOnlyDictionary<string, List<string>> filters, Func<string, Image?> lookup)
    {
        foreach (var key in filters.Keys.Where(k => !Known.Contains(k)))
        {
            throw EngineException.InvalidParameter($"invalid filter '{key}'");
        }
        if (filters.TryGetValue("dangling", out var dangling) && dangling.Any(v => v is not ("true" or "false" or "1" or "0")))
        {
            throw EngineException.InvalidParameter($"invalid filter 'dangling={string.Join(',', dangling)}'");
        }
        _filters = filters;
        _lookup = lookup;
    }

    public bool Matches(Image image)
    {
        foreach (var (key, values) in _filters)
        {
            if (values.Count == 0)
            {
                continue;
            }
            var match = key switch
            {
                "dangling" => values.Any(v => (v is "true" or "1") == (image.RepoTags.Count == 0)),
                "label" => values.All(v => LabelMatches(image.Config.Config?.Labels, v)),
                "reference" => values.Any(v => image.RepoTags.Any(t => ReferenceMatches(t, v))),
                "before" => values.All(v => _lookup(v) is { } other && Created(image) < Created(other)),
                "since" => values.All(v => _lookup(v) is { } other && Created(image) > Created(other)),
                _ => true,
            };
            if (!match)
            {
                return false;
            }
        }
        return true;
    }

    private static DateTimeOffset Created(Image image) => image.Config.Created ?? image.LoadedAt;

    /// <summary>"busybox", "busybox:latest", "bus*" (shell-style wildcards over the familiar name).</summary>
    private static bool ReferenceMatches(string repoTag, string pattern)
    {
        var colon = repoTag.LastIndexOf(':');
        var repo = colon > 0 ? repoTag[..colon] : repoTag;
        var regex = "^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace("\\*", "[^/]*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$";
        return System.Text.RegularExpressions.Regex.IsMatch(repoTag, regex) || System.Text.RegularExpressions.Regex.IsMatch(repo, regex);
    }

    private static bool LabelMatches(Dictionary<string, string>? labels, string filter)
    {
        labels ??= [];
        var eq = filter.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? labels.ContainsKey(filter) : labels.TryGetValue(filter[..eq], out var value) && value == filter[(eq + 1)..];
    }
}
