namespace PSContainer;

/// <summary>One layer-producing step of an image's history (docker history).</summary>
public sealed class ContainerImageHistory
{
    public string ImageId { get; init; } = "";
    public DateTime Created { get; init; }
    public string CreatedBy { get; init; } = "";
    public long Size { get; init; }
    public string Comment { get; init; } = "";
    public IReadOnlyList<string> Tags { get; init; } = [];

    public override string ToString() => CreatedBy;
}
