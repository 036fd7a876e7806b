namespace PSContainer;

/// <summary>A named volume.</summary>
public sealed class ContainerVolume
{
    public string Name { get; init; } = "";
    public string Driver { get; init; } = "local";
    public string Mountpoint { get; init; } = "";
    public DateTime? Created { get; init; }
    public string Scope { get; init; } = "local";
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();
    /// <summary>Bytes, or -1 when the engine did not measure.</summary>
    public long Size { get; init; } = -1;
    /// <summary>Containers using it, or -1 when the engine did not count.</summary>
    public long RefCount { get; init; } = -1;
    public string Endpoint { get; init; } = "";

    public override string ToString() => Name;
}
