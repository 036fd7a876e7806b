using PSContainer.Module.Client;

namespace PSContainer.Module.Core;

/// <summary>
/// Finds containers by what users type. The engine filters by state and label; names (with
/// wildcards) and id prefixes are matched here so the rules are the same on every engine. A name
/// without wildcards that matches nothing is an error; a wildcard that matches nothing is not
/// (as with Get-Item).
/// </summary>
public sealed class ContainerQuery
{
    private readonly EngineClient _client;
    private List<Container>? _all;

    public ContainerQuery(EngineClient client) => _client = client ?? throw new ArgumentNullException(nameof(client));

    public async Task<ContainerSearchResult> FindAsync(ContainerFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var rows = await _client.ListContainersAsync(filter.ListAll, filter.ToApiFilters(), cancellationToken).ConfigureAwait(false);
        var containers = rows.Select(r => ContainerConverter.FromSummary(r, _client.Endpoint.ToString())).ToList();
        if (filter.Names.Count == 0 && filter.Ids.Count == 0)
        {
            return new ContainerSearchResult(containers, []);
        }
        var result = new List<Container>();
        var misses = new List<EngineException>();
        // With a state or label filter a named container may exist and simply not qualify: that is no error.
        var reportMisses = filter.States.Count == 0 && filter.Labels.Count == 0;
        foreach (var value in filter.Names.Concat(filter.Ids))
        {
            try
            {
                result.AddRange(Wildcard.ContainsWildcard(value)
                    ? NameResolver.Filter(containers, value, c => c.Id, c => [c.Name])
                    : [NameResolver.ResolveOne(containers, value, c => c.Id, c => [c.Name], EngineErrorKind.ContainerNotFound, "container")]);
            }
            catch (EngineException e) when (e.Kind == EngineErrorKind.AmbiguousName
                || (e.Kind == EngineErrorKind.ContainerNotFound && reportMisses))
            {
                misses.Add(e);
            }
            catch (EngineException e) when (e.Kind == EngineErrorKind.ContainerNotFound)
            {
                // Filtered out, see above.
            }
        }
        return new ContainerSearchResult(result.Distinct().ToList(), misses);
    }

    /// <summary>
    /// Finds containers one name at a time, reporting a miss per name (non-terminating in the
    /// cmdlet) instead of failing the whole list.
    /// </summary>
    public async Task<IReadOnlyList<Container>> MatchAsync(string nameOrPattern, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nameOrPattern);
        _all ??= (await _client.ListContainersAsync(true, null, cancellationToken).ConfigureAwait(false))
            .Select(r => ContainerConverter.FromSummary(r, _client.Endpoint.ToString())).ToList();
        if (Wildcard.ContainsWildcard(nameOrPattern))
        {
            return NameResolver.Filter(_all, nameOrPattern, c => c.Id, c => [c.Name]);
        }
        return [NameResolver.ResolveOne(_all, nameOrPattern, c => c.Id, c => [c.Name], EngineErrorKind.ContainerNotFound, "container")];
    }

    /// <summary>
    /// The full id for a name, id or prefix. A full 64-digit id (what piped objects carry) goes
    /// to the engine as it is; anything else is resolved against one cached list, so a
    /// pipeline of a hundred names costs one list request, and an ambiguous prefix is refused here.
    /// </summary>
    public async Task<Container> ResolveAsync(string nameOrId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nameOrId);
        if (nameOrId.Length == 64 && Ids.LooksLikeIdPrefix(nameOrId) && _all is null)
        {
            return new Container { Id = nameOrId, Name = "", Endpoint = _client.Endpoint.ToString() };
        }
        var matches = await MatchAsync(nameOrId, cancellationToken).ConfigureAwait(false);
        return matches.Count == 1
            ? matches[0]
            : matches.Count == 0
                ? throw new EngineException(EngineErrorKind.ContainerNotFound, $"No container matches '{nameOrId}'.")
                : throw new EngineException(EngineErrorKind.AmbiguousName,
                    $"'{nameOrId}' matches {matches.Count} containers ({string.Join(", ", matches.Take(5).Select(m => m.Name))}); this parameter takes one.");
    }

    /// <summary>Forgets the cached list (after a change such as create or remove).</summary>
    public void Invalidate() => _all = null;
}

/// <summary>The containers found, and one error per name or id that matched nothing (or too much).</summary>
public sealed record ContainerSearchResult(IReadOnlyList<Container> Found, IReadOnlyList<EngineException> Misses);
