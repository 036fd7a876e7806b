namespace PSContainer.Module.Core;

/// <summary>What Get-Container asked for; turned into the API's filters plus client-side wildcard matching.</summary>
public sealed class ContainerFilter
{
    /// <summary>Names, with wildcards allowed. Empty = every name.</summary>
    public IReadOnlyList<string> Names { get; init; } = [];
    /// <summary>Ids or id prefixes.</summary>
    public IReadOnlyList<string> Ids { get; init; } = [];
    public IReadOnlyList<ContainerState> States { get; init; } = [];
    /// <summary>"key" or "key=value".</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];
    public bool All { get; init; }

    /// <summary>Stopped containers are listed when -All is given, or when asked for by name, id or a non-running state.</summary>
    public bool ListAll => All || Names.Count > 0 || Ids.Count > 0 || States.Any(s => s != ContainerState.Running);

    public Dictionary<string, IReadOnlyList<string>> ToApiFilters()
    {
        var filters = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (States.Count > 0)
        {
            filters["status"] = States.Select(s => s.ToString().ToLowerInvariant()).Distinct().ToList();
        }
        if (Labels.Count > 0)
        {
            filters["label"] = Labels.ToList();
        }
        return filters;
    }
}
