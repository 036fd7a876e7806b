namespace PSContainer;

/// <summary>
/// A container as the module shows it: typed (State is an enum, Created a DateTime) and short
/// where docker ps is short, with the full id and the endpoint it came from so it can be piped
/// to other cmdlets (they bind Id and Endpoint by property name).
/// </summary>
public sealed class Container
{
    public string Id { get; init; } = "";

    /// <summary>The first 12 hex digits, as docker ps shows.</summary>
    public string ShortId => Ids.Short(Id);

    public string Name { get; init; } = "";

    /// <summary>The image reference the container was created from (or the image id).</summary>
    public string Image { get; init; } = "";

    public string? ImageId { get; init; }

    public string Command { get; init; } = "";

    public ContainerState State { get; init; }

    /// <summary>The engine's human status: "Up 3 minutes", "Exited (0) 5 seconds ago".</summary>
    public string Status { get; init; } = "";

    public DateTime Created { get; init; }

    public IReadOnlyList<ContainerPort> Ports { get; init; } = [];

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>The exit code of the last run; null while it has never exited.</summary>
    public int? ExitCode { get; init; }

    public DateTime? StartedAt { get; init; }

    public DateTime? FinishedAt { get; init; }

    /// <summary>Process id of the workload on the host while it runs.</summary>
    public int? Pid { get; init; }

    public IReadOnlyList<string> Networks { get; init; } = [];

    public IReadOnlyList<ContainerMount> Mounts { get; init; } = [];

    /// <summary>none, starting, healthy or unhealthy, when the image defines a healthcheck.</summary>
    public string? Health { get; init; }

    public int RestartCount { get; init; }

    public string? RestartPolicy { get; init; }

    public bool Tty { get; init; }

    /// <summary>The engine this container lives on.</summary>
    public string Endpoint { get; init; } = "";

    /// <summary>True when the object came from inspect (all fields), false from a list (summary fields).</summary>
    public bool IsDetailed { get; init; }

    public override string ToString() => Name.Length > 0 ? Name : ShortId;
}
