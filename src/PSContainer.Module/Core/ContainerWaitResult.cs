namespace PSContainer;

/// <summary>A container that stopped, and how (Wait-Container).</summary>
public sealed class ContainerWaitResult
{
    public string ContainerId { get; init; } = "";
    public string Name { get; init; } = "";
    public long ExitCode { get; init; }
    public string? Error { get; init; }

    public override string ToString() => $"{Name} exited with {ExitCode}";
}
