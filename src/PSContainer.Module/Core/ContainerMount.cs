namespace PSContainer;

/// <summary>A volume, bind or tmpfs mounted into a container.</summary>
public sealed class ContainerMount
{
    public string Type { get; init; } = "";
    public string? Name { get; init; }
    public string? Source { get; init; }
    public string Destination { get; init; } = "";
    public bool ReadOnly { get; init; }

    public override string ToString() =>
        (Name ?? Source ?? Type) + ":" + Destination + (ReadOnly ? ":ro" : "");
}
