using System.Globalization;
using System.Text.Json;
using PSContainer.Api;

namespace PSContainer.Engine.Daemon.Containers;

/// <summary>
/// Turns the runtime's stats (the "data" object of `runc events --stats`: cpu, memory, pids,
/// blkio) into Docker's stats JSON, with the host's total CPU time for the CLI's percentages.
/// </summary>
public static class StatsConverter
{
    public static ContainerStats Convert(JsonElement data, string id, string name, DateTimeOffset read, ContainerStats? previous, long hostMemory)
    {
        var stats = new ContainerStats
        {
            Id = id,
            Name = "/" + name,
            Read = ContainerService.Timestamp(read),
            PreRead = previous?.Read ?? "0001-01-01T00:00:00Z",
            PreCpuStats = previous?.CpuStats ?? new CpuStats(),
        };
        if (data.TryGetProperty("cpu", out var cpu) && cpu.TryGetProperty("usage", out var usage))
        {
            stats.CpuStats.CpuUsage = new CpuUsage
            {
                TotalUsage = U64(usage, "total"),
                UsageInKernelmode = U64(usage, "kernel"),
                UsageInUsermode = U64(usage, "user"),
                PercpuUsage = usage.TryGetProperty("percpu", out var percpu) && percpu.ValueKind == JsonValueKind.Array
                    ? [.. percpu.EnumerateArray().Select(v => v.GetUInt64())]
                    : null,
            };
            if (cpu.TryGetProperty("throttling", out var throttling))
            {
                stats.CpuStats.ThrottlingData = new ThrottlingData
                {
                    Periods = U64(throttling, "periods"),
                    ThrottledPeriods = U64(throttling, "throttledPeriods"),
                    ThrottledTime = U64(throttling, "throttledTime"),
                };
            }
        }
        stats.CpuStats.SystemCpuUsage = SystemCpuNanoseconds();
        stats.CpuStats.OnlineCpus = (uint)Environment.ProcessorCount;
        if (data.TryGetProperty("memory", out var memory))
        {
            var memUsage = memory.TryGetProperty("usage", out var u) ? u : default;
            var limit = memUsage.ValueKind == JsonValueKind.Object ? U64(memUsage, "limit") : 0;
            stats.MemoryStats = new MemoryStats
            {
                Usage = memUsage.ValueKind == JsonValueKind.Object ? U64(memUsage, "usage") : 0,
                MaxUsage = memUsage.ValueKind == JsonValueKind.Object ? U64(memUsage, "max") : 0,
                Failcnt = memUsage.ValueKind == JsonValueKind.Object ? U64(memUsage, "failcnt") : 0,
                // "No limit" is a huge number in cgroup v1: report the host's memory, as Docker does.
                Limit = limit == 0 || limit > (ulong)hostMemory ? (ulong)hostMemory : limit,
                Stats = memory.TryGetProperty("raw", out var raw) && raw.ValueKind == JsonValueKind.Object
                    ? raw.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Number).ToDictionary(p => p.Name, p => p.Value.GetUInt64())
                    : null,
            };
        }
        if (data.TryGetProperty("pids", out var pids))
        {
            var pidLimit = U64(pids, "limit");
            stats.PidsStats = new PidsStats { Current = U64(pids, "current"), Limit = pidLimit == 0 ? null : pidLimit };
        }
        if (data.TryGetProperty("blkio", out var blkio) && blkio.TryGetProperty("ioServiceBytesRecursive", out var bytes) && bytes.ValueKind == JsonValueKind.Array)
        {
            stats.BlkioStats.IoServiceBytesRecursive = [.. bytes.EnumerateArray().Select(e => new BlkioStatEntry
            {
                Major = U64(e, "major"),
                Minor = U64(e, "minor"),
                Op = e.TryGetProperty("op", out var op) ? op.GetString() ?? "" : "",
                Value = U64(e, "value"),
            })];
        }
        return stats;
    }

    private static ulong U64(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetUInt64(out var n) ? n : 0;

    /// <summary>Total host CPU time in nanoseconds from /proc/stat (USER_HZ is 100 on Linux).</summary>
    public static ulong SystemCpuNanoseconds()
    {
        try
        {
            var line = File.ReadLines("/proc/stat").First(l => l.StartsWith("cpu ", StringComparison.Ordinal));
            var ticks = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(7)
                .Aggregate(0UL, (sum, field) => sum + ulong.Parse(field, CultureInfo.InvariantCulture));
            return ticks * 10_000_000UL;
        }
        catch (Exception e) when (e is IOException or FormatException or InvalidOperationException)
        {
            return 0;
        }
    }
}
