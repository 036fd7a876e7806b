namespace PSContainer;

public enum ContainerChangeKind
{
    Modified = 0,
    Added = 1,
    Deleted = 2,
}

/// <summary>A path changed in a container's writable layer (docker diff).</summary>
public sealed class ContainerChange
{
    public string ContainerId { get; init; } = "";
    public ContainerChangeKind Kind { get; init; }
    public string Path { get; init; } = "";

    public override string ToString() => Kind switch
    {
        ContainerChangeKind.Added => "A ",
        ContainerChangeKind.Deleted => "D ",
        _ => "C ",
    } + Path;
}
