using System.Text.Json.Serialization;

namespace PSContainer.Runc.Cgroups;

// The statistics of `runc events --stats`, with runc's JSON field names so psc-runc can print them
// as the "data" of a {"type":"stats"} event. CPU times are nanoseconds, memory sizes bytes.

/// <summary>Everything <see cref="ICgroupManager.GetStats"/> reads.</summary>
public sealed class CgroupStats
{
    [JsonPropertyName("cpu")] public CpuStats Cpu { get; set; } = new();
    [JsonPropertyName("memory")] public MemoryStats Memory { get; set; } = new();
    [JsonPropertyName("pids")] public PidsStats Pids { get; set; } = new();
    [JsonPropertyName("blkio")] public BlkioStats Blkio { get; set; } = new();
    /// <summary>Keyed by page size ("2MB").</summary>
    [JsonPropertyName("hugetlb")] public Dictionary<string, HugetlbStats> Hugetlb { get; set; } = [];
}

public sealed class CpuStats
{
    [JsonPropertyName("usage")] public CpuUsage Usage { get; set; } = new();
    [JsonPropertyName("throttling")] public CpuThrottling Throttling { get; set; } = new();
}

public sealed class CpuUsage
{
    /// <summary>Total CPU time consumed, nanoseconds.</summary>
    [JsonPropertyName("total")] public ulong Total { get; set; }
    /// <summary>Per CPU, nanoseconds (v1 cpuacct.usage_percpu; empty on v2).</summary>
    [JsonPropertyName("percpu")] public List<ulong>? PerCpu { get; set; }
    [JsonPropertyName("kernel")] public ulong Kernel { get; set; }
    [JsonPropertyName("user")] public ulong User { get; set; }
}

public sealed class CpuThrottling
{
    [JsonPropertyName("periods")] public ulong Periods { get; set; }
    [JsonPropertyName("throttledPeriods")] public ulong ThrottledPeriods { get; set; }
    /// <summary>Nanoseconds.</summary>
    [JsonPropertyName("throttledTime")] public ulong ThrottledTime { get; set; }
}

public sealed class MemoryStats
{
    [JsonPropertyName("cache")] public ulong Cache { get; set; }
    [JsonPropertyName("usage")] public MemoryEntry Usage { get; set; } = new();
    [JsonPropertyName("swap")] public MemoryEntry Swap { get; set; } = new();
    [JsonPropertyName("kernel")] public MemoryEntry Kernel { get; set; } = new();
    [JsonPropertyName("kernelTCP")] public MemoryEntry KernelTcp { get; set; } = new();
    /// <summary>memory.stat as read.</summary>
    [JsonPropertyName("raw")] public Dictionary<string, ulong> Raw { get; set; } = [];
}

public sealed class MemoryEntry
{
    /// <summary>ulong.MaxValue-ish values mean "unlimited" as the kernel reports them; v2 "max" is reported as ulong.MaxValue.</summary>
    [JsonPropertyName("limit")] public ulong Limit { get; set; }
    [JsonPropertyName("usage")] public ulong Usage { get; set; }
    [JsonPropertyName("max")] public ulong Max { get; set; }
    [JsonPropertyName("failcnt")] public ulong Failcnt { get; set; }
}

public sealed class PidsStats
{
    [JsonPropertyName("current")] public ulong Current { get; set; }
    /// <summary>0 when unlimited ("max").</summary>
    [JsonPropertyName("limit")] public ulong Limit { get; set; }
}

public sealed class BlkioStats
{
    [JsonPropertyName("ioServiceBytesRecursive")] public List<BlkioEntry> IoServiceBytesRecursive { get; set; } = [];
    [JsonPropertyName("ioServicedRecursive")] public List<BlkioEntry> IoServicedRecursive { get; set; } = [];
}

public sealed class BlkioEntry
{
    [JsonPropertyName("major")] public ulong Major { get; set; }
    [JsonPropertyName("minor")] public ulong Minor { get; set; }
    /// <summary>"Read", "Write", "Sync", "Async", "Discard", "Total".</summary>
    [JsonPropertyName("op")] public string Op { get; set; } = "";
    [JsonPropertyName("value")] public ulong Value { get; set; }
}

public sealed class HugetlbStats
{
    [JsonPropertyName("usage")] public ulong Usage { get; set; }
    [JsonPropertyName("max")] public ulong Max { get; set; }
    [JsonPropertyName("failcnt")] public ulong Failcnt { get; set; }
}
