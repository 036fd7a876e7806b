using PSContainer.Engine.Core.Images;
using PSContainer.Engine.Errors;

namespace PSContainer.Engine.Daemon.Containers;

/// <summary>
/// The filters of GET /containers/json: id, name, label (key or key=value), status, ancestor,
/// exited, health, before, since. Values of one key are alternatives (OR); keys combine (AND).
/// </summary>
public sealed class ContainerFilters
{
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "id", "name", "label", "status", "ancestor", "exited", "health", "before", "since", "network", "volume", "is-task", "publish", "expose",
    };

    private static readonly HashSet<string> Statuses = new(StringComparer.Ordinal)
    {
        "created", "restarting", "running", "removing", "paused", "exited", "dead",
    };

    private readonly IReadOnlyDictionary<string, List<string>> _filters;

    public ContainerFilters(IReadOnlyDictionary<string, List<string>> filters)
    {
        foreach (var (key, values) in filters)
        {
            if (!Known.Contains(key))
            {
                throw EngineException.InvalidParameter($"invalid filter '{key}'");
            }
            if (key == "status")
            {
                foreach (var value in values.Where(v => !Statuses.Contains(v)))
                {
                    throw EngineException.InvalidParameter($"invalid filter 'status={value}'");
                }
            }
        }
        _filters = filters;
    }

    public static ContainerFilters None { get; } = new(new Dictionary<string, List<string>>());

    /// <summary>Filters on status or exit code look at stopped containers too, as Docker's do.</summary>
    public bool ImpliesAll => _filters.ContainsKey("status") || _filters.ContainsKey("exited");

    public bool Matches(Container container, IImageStore images)
    {
        var record = container.Record;
        foreach (var (key, values) in _filters)
        {
            if (values.Count == 0)
            {
                continue;
            }
            var match = key switch
            {
                "id" => values.Any(v => record.Id.StartsWith(v, StringComparison.Ordinal)),
                "name" => values.Any(v => NameMatches(record.Name, v)),
                "label" => values.All(v => LabelMatches(record.Config.Labels, v)),
                "status" => values.Contains(record.State.Status),
                "exited" => record.State.Status == "exited" && values.Contains(record.State.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                "health" => values.Contains(record.State.Health?.Status ?? "none"),
                "ancestor" => values.Any(v => AncestorMatches(record, v, images)),
                "before" => values.All(v => Created(v, images) is { } t && record.Created < t),
                "since" => values.All(v => Created(v, images) is { } t && record.Created > t),
                "network" => values.Contains(record.HostConfig.NetworkMode ?? "bridge"),
                _ => true,
            };
            if (!match)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Docker matches names as a regular expression over "/name"; a bad pattern matches as plain text.</summary>
    private static bool NameMatches(string name, string filter)
    {
        try
        {
            return System.Text.RegularExpressions.Regex.IsMatch("/" + name, filter, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromMilliseconds(50));
        }
        catch (Exception e) when (e is ArgumentException or System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            return name.Contains(filter.TrimStart('/'), StringComparison.Ordinal);
        }
    }

    private static bool LabelMatches(Dictionary<string, string>? labels, string filter)
    {
        labels ??= [];
        var eq = filter.IndexOf('=', StringComparison.Ordinal);
        return eq < 0
            ? labels.ContainsKey(filter)
            : labels.TryGetValue(filter[..eq], out var value) && value == filter[(eq + 1)..];
    }

    private static bool AncestorMatches(ContainerRecord record, string reference, IImageStore images)
    {
        if (record.ImageName == reference || record.ImageId == reference || record.ImageId.StartsWith("sha256:" + reference, StringComparison.Ordinal))
        {
            return true;
        }
        return images.TryGet(reference, out var image) && image.Id.ToString() == record.ImageId;
    }

    private DateTimeOffset? Created(string reference, IImageStore images)
    {
        _ = images;
        return _containerLookup?.Invoke(reference);
    }

    private Func<string, DateTimeOffset?>? _containerLookup;

    /// <summary>before/since name containers: the list call supplies how to find them.</summary>
    public ContainerFilters WithContainerLookup(Func<string, DateTimeOffset?> lookup)
    {
        _containerLookup = lookup;
        return this;
    }
}
