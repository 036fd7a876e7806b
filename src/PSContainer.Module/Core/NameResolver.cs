using PSContainer.Module.Client;

namespace PSContainer.Module.Core;

/// <summary>
/// Finds containers (images, volumes, networks) the way users name them: a wildcard pattern
/// matches names; otherwise an exact name wins, then a full id, then a unique id prefix. A prefix
/// that fits several ids is an error that lists them, never a guess.
/// </summary>
public static class NameResolver
{
    /// <summary>Everything whose name matches a wildcard pattern (or whose id starts with the pattern when it has no wildcard).</summary>
    public static IReadOnlyList<T> Filter<T>(IEnumerable<T> items, string pattern, Func<T, string> id, Func<T, IEnumerable<string>> names)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(pattern);
        if (Wildcard.ContainsWildcard(pattern))
        {
            return items.Where(item => names(item).Any(n => Wildcard.IsMatch(Bare(n), pattern))).ToList();
        }
        var found = TryResolve(items, pattern, id, names, out var single, out var candidates);
        return found ? [single!] : candidates.Count > 1 ? throw Ambiguous(pattern, candidates, id, names, "object") : [];
    }

    /// <summary>The one item a name, id or id prefix denotes, or an <see cref="EngineException"/> of the given not-found kind.</summary>
    public static T ResolveOne<T>(
        IEnumerable<T> items, string nameOrId, Func<T, string> id, Func<T, IEnumerable<string>> names, EngineErrorKind notFound, string noun)
    {
        ArgumentNullException.ThrowIfNull(nameOrId);
        if (TryResolve(items, nameOrId, id, names, out var single, out var candidates))
        {
            return single!;
        }
        if (candidates.Count > 1)
        {
            throw Ambiguous(nameOrId, candidates, id, names, noun);
        }
        throw new EngineException(notFound, $"No {noun} named or with an id starting with '{nameOrId}' exists.");
    }

    private static bool TryResolve<T>(
        IEnumerable<T> items, string value, Func<T, string> id, Func<T, IEnumerable<string>> names, out T? single, out List<T> candidates)
    {
        var list = items.ToList();
        var bare = Bare(value);
        single = default;
        candidates = [];
        var byName = list.Where(item => names(item).Any(n => string.Equals(Bare(n), bare, StringComparison.Ordinal))).ToList();
        if (byName.Count == 1)
        {
            single = byName[0];
            return true;
        }
        var hex = Ids.StripAlgorithm(value).ToLowerInvariant();
        if (!Ids.LooksLikeIdPrefix(hex))
        {
            return false;
        }
        var byId = list.Where(item => Ids.StripAlgorithm(id(item)).StartsWith(hex, StringComparison.Ordinal)).ToList();
        var exact = byId.Where(item => Ids.StripAlgorithm(id(item)) == hex).ToList();
        if (exact.Count == 1)
        {
            single = exact[0];
            return true;
        }
        if (byId.Count == 1)
        {
            single = byId[0];
            return true;
        }
        candidates = byId;
        return false;
    }

    private static EngineException Ambiguous<T>(string value, List<T> candidates, Func<T, string> id, Func<T, IEnumerable<string>> names, string noun)
    {
        var shown = string.Join(", ", candidates.Take(5).Select(c => Ids.Short(id(c)) + (names(c).FirstOrDefault() is { } n ? " (" + Bare(n) + ")" : "")));
        return new EngineException(EngineErrorKind.AmbiguousName,
            $"'{value}' matches {candidates.Count} {noun}s ({shown}{(candidates.Count > 5 ? ", ..." : "")}); give more of the id or the full name.");
    }

    private static string Bare(string name) => name.StartsWith('/') ? name[1..] : name;
}
