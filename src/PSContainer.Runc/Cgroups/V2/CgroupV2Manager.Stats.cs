using System.Globalization;

namespace PSContainer.Runc.Cgroups.V2;

// Reading usage counters from cgroup v2 files for `runc events --stats`.
public sealed partial class CgroupV2Manager
{
    public override CgroupStats GetStats()
    {
        var stats = new CgroupStats();
        var cpu = ReadKeyValues(_directory, "cpu.stat");
        stats.Cpu.Usage.Total = cpu.GetValueOrDefault("usage_usec") * 1000;
        stats.Cpu.Usage.User = cpu.GetValueOrDefault("user_usec") * 1000;
        stats.Cpu.Usage.Kernel = cpu.GetValueOrDefault("system_usec") * 1000;
        stats.Cpu.Throttling.Periods = cpu.GetValueOrDefault("nr_periods");
        stats.Cpu.Throttling.ThrottledPeriods = cpu.GetValueOrDefault("nr_throttled");
        stats.Cpu.Throttling.ThrottledTime = cpu.GetValueOrDefault("throttled_usec") * 1000;

        if (Has(_directory, "memory.current"))
        {
            var memory = stats.Memory;
            memory.Raw = ReadKeyValues(_directory, "memory.stat");
            memory.Cache = memory.Raw.GetValueOrDefault("file");
            var events = ReadKeyValues(_directory, "memory.events");
            memory.Usage = new MemoryEntry
            {
                Usage = ReadCounter(_directory, "memory.current"),
                Limit = ReadCounter(_directory, "memory.max"),
                Max = ReadCounterOrZero(_directory, "memory.peak"),
                Failcnt = events.GetValueOrDefault("max"),
            };
            if (Has(_directory, "memory.swap.current"))
            {
                // OCI (and runc's stats) report swap as memory+swap, like v1's memsw.
                var swapLimit = ReadCounter(_directory, "memory.swap.max");
                memory.Swap = new MemoryEntry
                {
                    Usage = ReadCounter(_directory, "memory.swap.current") + memory.Usage.Usage,
                    Limit = swapLimit == ulong.MaxValue || memory.Usage.Limit == ulong.MaxValue ? ulong.MaxValue : swapLimit + memory.Usage.Limit,
                    Failcnt = ReadKeyValues(_directory, "memory.swap.events").GetValueOrDefault("max"),
                };
            }
        }
        if (Has(_directory, "pids.current"))
        {
            stats.Pids.Current = ReadCounter(_directory, "pids.current");
            var limit = ReadCounter(_directory, "pids.max");
            stats.Pids.Limit = limit == ulong.MaxValue ? 0 : limit;
        }
        if (Has(_directory, "io.stat"))
        {
            ReadIO(stats.Blkio);
        }
        foreach (var file in System.IO.Directory.Exists(_directory) ? System.IO.Directory.GetFiles(_directory, "hugetlb.*.current") : [])
        {
            var size = System.IO.Path.GetFileName(file).Split('.')[1];
            stats.Hugetlb[size] = new HugetlbStats
            {
                Usage = ReadCounter(_directory, $"hugetlb.{size}.current"),
                Max = ReadCounterOrZero(_directory, $"hugetlb.{size}.max_usage"),
                Failcnt = ReadKeyValues(_directory, $"hugetlb.{size}.events").GetValueOrDefault("max"),
            };
        }
        return stats;
    }

    /// <summary>io.stat lines "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" → runc's blkio entries.</summary>
    private void ReadIO(BlkioStats blkio)
    {
        foreach (var line in Read(_directory, "io.stat").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var device = fields[0].Split(':');
            if (device.Length != 2)
            {
                continue;
            }
            var major = ulong.Parse(device[0], NumberStyles.None, CultureInfo.InvariantCulture);
            var minor = ulong.Parse(device[1], NumberStyles.None, CultureInfo.InvariantCulture);
            foreach (var field in fields.Skip(1))
            {
                var pair = field.Split('=');
                if (pair.Length != 2 || !ulong.TryParse(pair[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                {
                    continue;
                }
                var (list, op) = pair[0] switch
                {
                    "rbytes" => (blkio.IoServiceBytesRecursive, "Read"),
                    "wbytes" => (blkio.IoServiceBytesRecursive, "Write"),
                    "rios" => (blkio.IoServicedRecursive, "Read"),
                    "wios" => (blkio.IoServicedRecursive, "Write"),
                    _ => (null, ""),
                };
                list?.Add(new BlkioEntry { Major = major, Minor = minor, Op = op, Value = value });
            }
        }
    }
}
