namespace PSContainer;

/// <summary>One resource-usage sample of a container (docker stats).</summary>
public sealed class ContainerStatistic
{
    public string ContainerId { get; init; } = "";
    public string ShortId => Ids.Short(ContainerId);
    public string Name { get; init; } = "";
    public DateTime Read { get; init; }
    /// <summary>Percent of one CPU times the number of CPUs (200 = two CPUs busy), as docker stats computes it.</summary>
    public double CpuPercent { get; init; }
    public ulong MemoryUsage { get; init; }
    public ulong MemoryLimit { get; init; }
    public double MemoryPercent { get; init; }
    public ulong NetworkReceived { get; init; }
    public ulong NetworkSent { get; init; }
    public ulong BlockRead { get; init; }
    public ulong BlockWritten { get; init; }
    public ulong Pids { get; init; }
}
