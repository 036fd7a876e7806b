using Dto = PSContainer.Api;

namespace PSContainer.Module.Core;

/// <summary>
/// Turns a stats sample into <see cref="ContainerStatistic"/>. CPU percent is docker's formula:
/// the container's CPU time delta over the host's, times the online CPUs, times 100, between
/// this sample and the previous one (precpu_stats) the engine sends with it.
/// </summary>
public static class StatisticConverter
{
    public static ContainerStatistic ToStatistic(Dto.ContainerStats stats, string containerId, string name)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var memoryUsage = MemoryUsageWithoutCache(stats.MemoryStats);
        var limit = stats.MemoryStats.Limit;
        ulong received = 0, sent = 0;
        foreach (var network in (stats.Networks ?? []).Values)
        {
            received += network.RxBytes;
            sent += network.TxBytes;
        }
        ulong read = 0, written = 0;
        foreach (var entry in stats.BlkioStats.IoServiceBytesRecursive ?? [])
        {
            if (entry.Op.Equals("read", StringComparison.OrdinalIgnoreCase))
            {
                read += entry.Value;
            }
            else if (entry.Op.Equals("write", StringComparison.OrdinalIgnoreCase))
            {
                written += entry.Value;
            }
        }
        return new ContainerStatistic
        {
            ContainerId = string.IsNullOrEmpty(stats.Id) ? containerId : stats.Id,
            Name = string.IsNullOrEmpty(stats.Name) ? name : stats.Name.TrimStart('/'),
            Read = EngineTime.ParseRfc3339(stats.Read) ?? default,
            CpuPercent = CpuPercent(stats.CpuStats, stats.PreCpuStats),
            MemoryUsage = memoryUsage,
            MemoryLimit = limit,
            MemoryPercent = limit == 0 ? 0 : Math.Round(memoryUsage * 100.0 / limit, 2),
            NetworkReceived = received,
            NetworkSent = sent,
            BlockRead = read,
            BlockWritten = written,
            Pids = stats.PidsStats.Current,
        };
    }

    public static double CpuPercent(Dto.CpuStats current, Dto.CpuStats previous)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(previous);
        if (current.CpuUsage.TotalUsage < previous.CpuUsage.TotalUsage || current.SystemCpuUsage <= previous.SystemCpuUsage)
        {
            return 0;
        }
        var cpuDelta = (double)(current.CpuUsage.TotalUsage - previous.CpuUsage.TotalUsage);
        var systemDelta = (double)(current.SystemCpuUsage - previous.SystemCpuUsage);
        var cpus = current.OnlineCpus > 0 ? current.OnlineCpus : (uint)Math.Max(1, current.CpuUsage.PercpuUsage?.Count ?? 1);
        return Math.Round(cpuDelta / systemDelta * cpus * 100.0, 2);
    }

    /// <summary>Docker subtracts the page cache: cgroup v1 "total_inactive_file", v2 "inactive_file".</summary>
    private static ulong MemoryUsageWithoutCache(Dto.MemoryStats memory)
    {
        var stats = memory.Stats ?? [];
        var cache = stats.TryGetValue("total_inactive_file", out var v1) ? v1 : stats.TryGetValue("inactive_file", out var v2) ? v2 : 0;
        return cache < memory.Usage ? memory.Usage - cache : memory.Usage;
    }
}
