namespace PSContainer;

/// <summary>
/// An image, one object per tag as docker images lists them (an untagged image is one object with
/// Repository and Tag "&lt;none&gt;"). Reference is what other cmdlets take: repo:tag, or the id.
/// </summary>
public sealed class ContainerImage
{
    public const string None = "<none>";

    public string Id { get; init; } = "";

    public string ShortId => Ids.Short(Id);

    public string Repository { get; init; } = None;

    public string Tag { get; init; } = None;

    /// <summary>repository:tag, or the image id when the image has no tag.</summary>
    public string Reference => Repository == None ? Id : Repository + ":" + Tag;

    public IReadOnlyList<string> RepoTags { get; init; } = [];

    public IReadOnlyList<string> RepoDigests { get; init; } = [];

    public DateTime Created { get; init; }

    /// <summary>Bytes.</summary>
    public long Size { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>How many containers use it, or -1 when the engine did not count.</summary>
    public long Containers { get; init; } = -1;

    public string? Architecture { get; init; }

    public string? Os { get; init; }

    public IReadOnlyList<string> Layers { get; init; } = [];

    public string Endpoint { get; init; } = "";

    public override string ToString() => Reference;
}
