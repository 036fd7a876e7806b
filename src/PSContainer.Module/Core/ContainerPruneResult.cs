namespace PSContainer;

/// <summary>What a prune removed and how much space it gave back.</summary>
public sealed class ContainerPruneResult
{
    /// <summary>containers, images, volumes or networks.</summary>
    public string Kind { get; init; } = "";
    public IReadOnlyList<string> Deleted { get; init; } = [];
    public long SpaceReclaimed { get; init; }
}
