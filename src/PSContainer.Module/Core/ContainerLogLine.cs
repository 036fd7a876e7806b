namespace PSContainer;

/// <summary>Which output stream a line came from.</summary>
public enum ContainerOutputStream
{
    StdOut = 1,
    StdErr = 2,
}

/// <summary>One line of a container's output (Get-ContainerLog), with its time when asked for.</summary>
public sealed class ContainerLogLine
{
    public string ContainerId { get; init; } = "";
    public string ContainerName { get; init; } = "";
    public ContainerOutputStream Stream { get; init; }
    /// <summary>When the engine recorded the line (with -Timestamp), in local time.</summary>
    public DateTime? Time { get; init; }
    public string Line { get; init; } = "";

    public override string ToString() => Line;
}
