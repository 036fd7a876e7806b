namespace PSContainer;

/// <summary>A network containers can join.</summary>
public sealed class ContainerNetwork
{
    public string Id { get; init; } = "";
    public string ShortId => Ids.Short(Id);
    public string Name { get; init; } = "";
    public string Driver { get; init; } = "";
    public string Scope { get; init; } = "local";
    public IReadOnlyList<string> Subnets { get; init; } = [];
    public IReadOnlyList<string> Gateways { get; init; } = [];
    public bool Internal { get; init; }
    public bool IPv6 { get; init; }
    public DateTime? Created { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();
    /// <summary>Names of the containers attached (filled by inspect).</summary>
    public IReadOnlyList<string> Containers { get; init; } = [];
    public string Endpoint { get; init; } = "";

    public override string ToString() => Name;
}
