using System.Globalization;

namespace PSContainer.Runc.Cgroups.V1;

// Reading usage counters from v1 controller files for `runc events --stats`.
public sealed partial class CgroupV1Manager
{
    // cpuacct.stat counts USER_HZ ticks; 100 on every Linux ABI.
    private const ulong NanosecondsPerTick = 1_000_000_000 / 100;

    public override CgroupStats GetStats()
    {
        var stats = new CgroupStats();
        if (_paths.TryGetValue("memory", out var memory) && Fs.DirectoryExists(memory))
        {
            ReadMemory(memory, stats.Memory);
        }
        if (_paths.TryGetValue("cpuacct", out var cpuacct) && Fs.DirectoryExists(cpuacct))
        {
            stats.Cpu.Usage.Total = ReadCounterOrZero(cpuacct, "cpuacct.usage");
            if (Has(cpuacct, "cpuacct.usage_percpu"))
            {
                stats.Cpu.Usage.PerCpu = Read(cpuacct, "cpuacct.usage_percpu")
                    .Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(v => ulong.Parse(v, NumberStyles.None, CultureInfo.InvariantCulture)).ToList();
            }
            var ticks = ReadKeyValues(cpuacct, "cpuacct.stat");
            stats.Cpu.Usage.User = ticks.GetValueOrDefault("user") * NanosecondsPerTick;
            stats.Cpu.Usage.Kernel = ticks.GetValueOrDefault("system") * NanosecondsPerTick;
        }
        if (_paths.TryGetValue("cpu", out var cpu) && Fs.DirectoryExists(cpu))
        {
            var throttling = ReadKeyValues(cpu, "cpu.stat");
            stats.Cpu.Throttling.Periods = throttling.GetValueOrDefault("nr_periods");
            stats.Cpu.Throttling.ThrottledPeriods = throttling.GetValueOrDefault("nr_throttled");
            stats.Cpu.Throttling.ThrottledTime = throttling.GetValueOrDefault("throttled_time");
        }
        if (_paths.TryGetValue("pids", out var pids) && Fs.DirectoryExists(pids))
        {
            stats.Pids.Current = ReadCounter(pids, "pids.current");
            var limit = ReadCounter(pids, "pids.max");
            stats.Pids.Limit = limit == ulong.MaxValue ? 0 : limit;
        }
        if (_paths.TryGetValue("blkio", out var blkio) && Fs.DirectoryExists(blkio))
        {
            // The throttle files count I/O even when no proportional scheduler (CFQ/BFQ) is active.
            stats.Blkio.IoServiceBytesRecursive = ReadBlkio(blkio, "blkio.throttle.io_service_bytes_recursive", "blkio.throttle.io_service_bytes");
            stats.Blkio.IoServicedRecursive = ReadBlkio(blkio, "blkio.throttle.io_serviced_recursive", "blkio.throttle.io_serviced");
        }
        if (_paths.TryGetValue("hugetlb", out var hugetlb) && Fs.DirectoryExists(hugetlb))
        {
            foreach (var file in System.IO.Directory.Exists(hugetlb) ? System.IO.Directory.GetFiles(hugetlb, "hugetlb.*.limit_in_bytes") : [])
            {
                var size = System.IO.Path.GetFileName(file).Split('.')[1];
                stats.Hugetlb[size] = new HugetlbStats
                {
                    Usage = ReadCounterOrZero(hugetlb, $"hugetlb.{size}.usage_in_bytes"),
                    Max = ReadCounterOrZero(hugetlb, $"hugetlb.{size}.max_usage_in_bytes"),
                    Failcnt = ReadCounterOrZero(hugetlb, $"hugetlb.{size}.failcnt"),
                };
            }
        }
        return stats;
    }

    private void ReadMemory(string directory, MemoryStats memory)
    {
        memory.Raw = ReadKeyValues(directory, "memory.stat");
        memory.Cache = memory.Raw.GetValueOrDefault("total_cache", memory.Raw.GetValueOrDefault("cache"));
        memory.Usage = Entry("memory");
        // memsw counts memory+swap, like OCI's swap field; absent without swap accounting.
        memory.Swap = Has(directory, "memory.memsw.usage_in_bytes") ? Entry("memory.memsw") : new MemoryEntry();
        memory.Kernel = Has(directory, "memory.kmem.usage_in_bytes") ? Entry("memory.kmem") : new MemoryEntry();
        memory.KernelTcp = Has(directory, "memory.kmem.tcp.usage_in_bytes") ? Entry("memory.kmem.tcp") : new MemoryEntry();

        MemoryEntry Entry(string prefix) => new()
        {
            Usage = ReadCounter(directory, prefix + ".usage_in_bytes"),
            Limit = ReadCounter(directory, prefix + ".limit_in_bytes"),
            Max = ReadCounterOrZero(directory, prefix + ".max_usage_in_bytes"),
            Failcnt = ReadCounterOrZero(directory, prefix + ".failcnt"),
        };
    }

    /// <summary>Lines "8:0 Read 4096" (and a final "Total N") from the first file that exists.</summary>
    private List<BlkioEntry> ReadBlkio(string directory, params string[] files)
    {
        var entries = new List<BlkioEntry>();
        var file = files.FirstOrDefault(f => Has(directory, f));
        if (file is null)
        {
            return entries;
        }
        foreach (var line in Read(directory, file).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 3)
            {
                continue;
            }
            var device = fields[0].Split(':');
            entries.Add(new BlkioEntry
            {
                Major = ulong.Parse(device[0], NumberStyles.None, CultureInfo.InvariantCulture),
                Minor = ulong.Parse(device[1], NumberStyles.None, CultureInfo.InvariantCulture),
                Op = fields[1],
                Value = ulong.Parse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture),
            });
        }
        return entries;
    }
}
