namespace PSContainer;

/// <summary>Something that happened on the engine (docker events).</summary>
public sealed class ContainerEvent
{
    public DateTime Time { get; init; }
    /// <summary>container, image, volume, network or daemon.</summary>
    public string Type { get; init; } = "";
    public string Action { get; init; } = "";
    public string ActorId { get; init; } = "";
    /// <summary>The actor's name attribute (container name, image reference...), if it has one.</summary>
    public string? ActorName { get; init; }
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>();
    public string Scope { get; init; } = "local";

    public override string ToString() => $"{Type} {Action} {ActorName ?? Ids.Short(ActorId)}";
}
