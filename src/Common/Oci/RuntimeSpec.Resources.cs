using System.Text.Json.Serialization;

namespace PSContainer.Oci;

// The "linux.resources" section of the OCI runtime spec (config-linux.md, "Control groups").
// Property names follow the spec's JSON exactly; every field is optional, so everything is nullable
// and "absent" (null) means "leave the kernel's current value alone".

/// <summary><c>linux.resources</c>: the cgroup limits applied to the container.</summary>
public sealed class LinuxResources
{
    /// <summary>Device cgroup rules, applied in order (the last matching rule wins).</summary>
    [JsonPropertyName("devices")] public List<LinuxDeviceCgroup>? Devices { get; set; }
    [JsonPropertyName("memory")] public LinuxMemory? Memory { get; set; }
    [JsonPropertyName("cpu")] public LinuxCpu? Cpu { get; set; }
    [JsonPropertyName("pids")] public LinuxPids? Pids { get; set; }
    [JsonPropertyName("blockIO")] public LinuxBlockIO? BlockIO { get; set; }
    [JsonPropertyName("hugepageLimits")] public List<LinuxHugepageLimit>? HugepageLimits { get; set; }
    [JsonPropertyName("network")] public LinuxNetwork? Network { get; set; }
    /// <summary>RDMA limits keyed by device name (e.g. "mlx5_1").</summary>
    [JsonPropertyName("rdma")] public Dictionary<string, LinuxRdma>? Rdma { get; set; }
    /// <summary>cgroup v2 only: raw "file name → value" pairs written into the container's cgroup.</summary>
    [JsonPropertyName("unified")] public Dictionary<string, string>? Unified { get; set; }
}

/// <summary>One device cgroup rule: <c>{"allow": false, "type": "c", "major": 1, "minor": 3, "access": "rwm"}</c>.</summary>
public sealed class LinuxDeviceCgroup
{
    [JsonPropertyName("allow")] public bool Allow { get; set; }
    /// <summary>"a" (all), "c" (char) or "b" (block); null means "a".</summary>
    [JsonPropertyName("type")] public string? Type { get; set; }
    /// <summary>Null means any major number (written as "*").</summary>
    [JsonPropertyName("major")] public long? Major { get; set; }
    /// <summary>Null means any minor number (written as "*").</summary>
    [JsonPropertyName("minor")] public long? Minor { get; set; }
    /// <summary>Any combination of "r", "w", "m"; null means "rwm".</summary>
    [JsonPropertyName("access")] public string? Access { get; set; }
}

/// <summary><c>linux.resources.memory</c>; sizes in bytes, -1 meaning unlimited.</summary>
public sealed class LinuxMemory
{
    [JsonPropertyName("limit")] public long? Limit { get; set; }
    [JsonPropertyName("reservation")] public long? Reservation { get; set; }
    /// <summary>Memory plus swap (runc's semantics: like v1's memsw, not swap alone).</summary>
    [JsonPropertyName("swap")] public long? Swap { get; set; }
    /// <summary>Deprecated kernel memory limit (v1 only; kernels ≥ 5.16 ignore it).</summary>
    [JsonPropertyName("kernel")] public long? Kernel { get; set; }
    /// <summary>Deprecated kernel TCP buffer limit (v1 only).</summary>
    [JsonPropertyName("kernelTCP")] public long? KernelTCP { get; set; }
    /// <summary>0..100.</summary>
    [JsonPropertyName("swappiness")] public ulong? Swappiness { get; set; }
    [JsonPropertyName("disableOOMKiller")] public bool? DisableOOMKiller { get; set; }
    [JsonPropertyName("useHierarchy")] public bool? UseHierarchy { get; set; }
    /// <summary>Refuse an update that would set the limit below current usage.</summary>
    [JsonPropertyName("checkBeforeUpdate")] public bool? CheckBeforeUpdate { get; set; }
}

/// <summary><c>linux.resources.cpu</c>.</summary>
public sealed class LinuxCpu
{
    /// <summary>Relative weight (v1 cpu.shares, 2..262144); converted to cpu.weight on v2.</summary>
    [JsonPropertyName("shares")] public ulong? Shares { get; set; }
    /// <summary>CPU time in microseconds per <see cref="Period"/>; -1 is unlimited.</summary>
    [JsonPropertyName("quota")] public long? Quota { get; set; }
    /// <summary>Extra microseconds a period may borrow from unused quota (cpu.cfs_burst_us / cpu.max.burst).</summary>
    [JsonPropertyName("burst")] public ulong? Burst { get; set; }
    /// <summary>The CFS period in microseconds.</summary>
    [JsonPropertyName("period")] public ulong? Period { get; set; }
    [JsonPropertyName("realtimeRuntime")] public long? RealtimeRuntime { get; set; }
    [JsonPropertyName("realtimePeriod")] public ulong? RealtimePeriod { get; set; }
    /// <summary>cpuset list such as "0-3,7".</summary>
    [JsonPropertyName("cpus")] public string? Cpus { get; set; }
    /// <summary>Memory-node list such as "0-1".</summary>
    [JsonPropertyName("mems")] public string? Mems { get; set; }
    /// <summary>cgroup v2 cpu.idle (0 or 1).</summary>
    [JsonPropertyName("idle")] public long? Idle { get; set; }
}

/// <summary><c>linux.resources.pids</c>.</summary>
public sealed class LinuxPids
{
    /// <summary>Maximum number of tasks; 0 or negative means unlimited ("max").</summary>
    [JsonPropertyName("limit")] public long? Limit { get; set; }
}

/// <summary><c>linux.resources.blockIO</c>.</summary>
public sealed class LinuxBlockIO
{
    /// <summary>10..1000 (blkio.weight on v1, converted to io.bfq.weight/io.weight on v2).</summary>
    [JsonPropertyName("weight")] public ushort? Weight { get; set; }
    [JsonPropertyName("leafWeight")] public ushort? LeafWeight { get; set; }
    [JsonPropertyName("weightDevice")] public List<LinuxWeightDevice>? WeightDevice { get; set; }
    [JsonPropertyName("throttleReadBpsDevice")] public List<LinuxThrottleDevice>? ThrottleReadBpsDevice { get; set; }
    [JsonPropertyName("throttleWriteBpsDevice")] public List<LinuxThrottleDevice>? ThrottleWriteBpsDevice { get; set; }
    [JsonPropertyName("throttleReadIOPSDevice")] public List<LinuxThrottleDevice>? ThrottleReadIOPSDevice { get; set; }
    [JsonPropertyName("throttleWriteIOPSDevice")] public List<LinuxThrottleDevice>? ThrottleWriteIOPSDevice { get; set; }
}

/// <summary>A per-device weight for <see cref="LinuxBlockIO.WeightDevice"/>.</summary>
public sealed class LinuxWeightDevice
{
    [JsonPropertyName("major")] public long Major { get; set; }
    [JsonPropertyName("minor")] public long Minor { get; set; }
    [JsonPropertyName("weight")] public ushort? Weight { get; set; }
    [JsonPropertyName("leafWeight")] public ushort? LeafWeight { get; set; }
}

/// <summary>A per-device rate limit (bytes or operations per second).</summary>
public sealed class LinuxThrottleDevice
{
    [JsonPropertyName("major")] public long Major { get; set; }
    [JsonPropertyName("minor")] public long Minor { get; set; }
    [JsonPropertyName("rate")] public ulong Rate { get; set; }
}

/// <summary>One hugetlb limit: <c>{"pageSize": "2MB", "limit": 209715200}</c>.</summary>
public sealed class LinuxHugepageLimit
{
    /// <summary>"&lt;size&gt;&lt;unit&gt;" as in hugetlb file names: "2MB", "1GB", "64KB".</summary>
    [JsonPropertyName("pageSize")] public string PageSize { get; set; } = "";
    [JsonPropertyName("limit")] public ulong Limit { get; set; }
}

/// <summary><c>linux.resources.network</c> (net_cls and net_prio, v1 only).</summary>
public sealed class LinuxNetwork
{
    [JsonPropertyName("classID")] public uint? ClassID { get; set; }
    [JsonPropertyName("priorities")] public List<LinuxInterfacePriority>? Priorities { get; set; }
}

/// <summary>A net_prio priority for one network interface.</summary>
public sealed class LinuxInterfacePriority
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("priority")] public uint Priority { get; set; }
}

/// <summary>RDMA handle and object limits for one device.</summary>
public sealed class LinuxRdma
{
    [JsonPropertyName("hcaHandles")] public uint? HcaHandles { get; set; }
    [JsonPropertyName("hcaObjects")] public uint? HcaObjects { get; set; }
}
