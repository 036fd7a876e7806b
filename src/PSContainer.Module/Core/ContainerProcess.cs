namespace PSContainer;

/// <summary>A process running in a container (docker top), with ps's columns as typed properties.</summary>
public sealed class ContainerProcess
{
    public string ContainerId { get; init; } = "";
    public string ContainerName { get; init; } = "";
    public string? User { get; init; }
    public int? ProcessId { get; init; }
    public int? ParentProcessId { get; init; }
    public string? StartTime { get; init; }
    public string? Tty { get; init; }
    public string? CpuTime { get; init; }
    public string Command { get; init; } = "";
    /// <summary>Every column ps reported, by its title.</summary>
    public IReadOnlyDictionary<string, string> Columns { get; init; } = new Dictionary<string, string>();

    public override string ToString() => Command;
}
