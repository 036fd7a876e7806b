using PSContainer.Oci;
using static PSContainer.Runc.Cgroups.CgroupValues;

namespace PSContainer.Runc.Cgroups.V1;

// Writing linux.resources into v1 controller files. Null and 0 mean "not set" for limits, as in
// runc, so a partial update (runc update --memory) leaves every other file alone.
public sealed partial class CgroupV1Manager
{
    public override void Set(LinuxResources resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        if (resources.Unified is { Count: > 0 })
        {
            throw new CgroupConfigException(
                $"linux.resources.unified needs cgroup v2, but this host uses cgroup v1 ({_layout.Mode.ToString().ToLowerInvariant()} mode)");
        }
        if (resources.Devices is { } devices)
        {
            SetDevices(devices);
        }
        if (resources.Memory is { } memory)
        {
            SetMemory(memory);
        }
        if (resources.Cpu is { } cpu)
        {
            SetCpu(cpu);
        }
        if (resources.Pids is { Limit: { } pidsLimit })
        {
            Write(Directory("pids", "linux.resources.pids"), "pids.max", pidsLimit > 0 ? Format(pidsLimit) : "max");
        }
        if (resources.BlockIO is { } blockIO)
        {
            SetBlockIO(blockIO);
        }
        for (var i = 0; i < (resources.HugepageLimits?.Count ?? 0); i++)
        {
            var limit = resources.HugepageLimits![i];
            var size = PageSize(limit.PageSize, $"linux.resources.hugepageLimits[{i}]");
            Write(Directory("hugetlb", "linux.resources.hugepageLimits"), $"hugetlb.{size}.limit_in_bytes", Format(limit.Limit));
        }
        if (resources.Network is { } network)
        {
            SetNetwork(network);
        }
        foreach (var (device, limit) in resources.Rdma ?? [])
        {
            var parts = new List<string>();
            if (limit.HcaHandles is { } handles) parts.Add($"hca_handle={handles}");
            if (limit.HcaObjects is { } objects) parts.Add($"hca_object={objects}");
            if (parts.Count > 0)
            {
                Write(Directory("rdma", "linux.resources.rdma"), "rdma.max", $"{device} {string.Join(' ', parts)}");
            }
        }
    }

    private void SetDevices(List<LinuxDeviceCgroup> rules)
    {
        // The kernel applies allow/deny writes one after another to its list, so writing the rules
        // in config order gives the spec's meaning (the default config starts with "deny all").
        var directory = Directory("devices", "linux.resources.devices");
        var lines = rules.Select((rule, i) => FormatDeviceRule(rule, $"linux.resources.devices[{i}]")).ToList();
        if (AlreadyInPlace(directory, rules, lines))
        {
            // Rewriting would start with "deny all": a running container's open() calls could fail
            // in between, so an update that changes nothing writes nothing.
            Options.Debug?.Invoke("linux.resources.devices: devices.list already matches; not rewritten");
            return;
        }
        for (var i = 0; i < rules.Count; i++)
        {
            Write(directory, rules[i].Allow ? "devices.allow" : "devices.deny", lines[i]);
        }
    }

    /// <summary>
    /// True for "deny all, then allow these" when devices.list already lists exactly those
    /// exceptions (compared with access letters in the kernel's r, w, m order).
    /// </summary>
    private bool AlreadyInPlace(string directory, List<LinuxDeviceCgroup> rules, List<string> lines)
    {
        if (rules.Count == 0 || lines[0] != "a *:* rwm" || rules[0].Allow || rules.Skip(1).Any(r => !r.Allow) || !Has(directory, "devices.list"))
        {
            return false;
        }
        static string Normal(string line)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return parts.Length == 3 ? $"{parts[0]} {parts[1]} {string.Concat("rwm".Where(parts[2].Contains))}" : line;
        }
        var wanted = lines.Skip(1).Select(Normal).ToHashSet(StringComparer.Ordinal);
        var current = Read(directory, "devices.list").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(Normal).ToHashSet(StringComparer.Ordinal);
        return wanted.SetEquals(current);
    }

    private void SetMemory(LinuxMemory memory)
    {
        const string where = "linux.resources.memory";
        var directory = new Lazy<string>(() => Directory("memory", where));
        var limit = memory.Limit;
        var swap = memory.Swap;
        if (IsSet(limit) && IsSet(swap))
        {
            if (limit > 0 && swap > 0 && swap < limit)
            {
                throw new CgroupConfigException($"{where}.swap {swap} is below {where}.limit {limit}: swap is memory+swap and must be at least the limit");
            }
            // The kernel keeps memsw >= limit at every step, so the order depends on where we start from.
            var current = ReadCounter(directory.Value, "memory.limit_in_bytes");
            if (swap == -1 || current < (ulong)swap!.Value)
            {
                Write(directory.Value, "memory.memsw.limit_in_bytes", Format(swap!.Value));
                Write(directory.Value, "memory.limit_in_bytes", Format(limit!.Value));
            }
            else
            {
                Write(directory.Value, "memory.limit_in_bytes", Format(limit!.Value));
                Write(directory.Value, "memory.memsw.limit_in_bytes", Format(swap.Value));
            }
        }
        else if (IsSet(limit))
        {
            Write(directory.Value, "memory.limit_in_bytes", Format(limit!.Value));
        }
        else if (IsSet(swap))
        {
            Write(directory.Value, "memory.memsw.limit_in_bytes", Format(swap!.Value));
        }
        if (IsSet(memory.Reservation))
        {
            Write(directory.Value, "memory.soft_limit_in_bytes", Format(memory.Reservation!.Value));
        }
        if (IsSet(memory.Kernel))
        {
            Options.Debug?.Invoke($"{where}.kernel is deprecated and ignored (kernel memory is accounted with user memory)");
        }
        if (IsSet(memory.KernelTCP))
        {
            Write(directory.Value, "memory.kmem.tcp.limit_in_bytes", Format(memory.KernelTCP!.Value));
        }
        if (memory.Swappiness is { } swappiness)
        {
            if (swappiness > 100)
            {
                throw new CgroupConfigException($"{where}.swappiness {swappiness} is out of range 0-100");
            }
            Write(directory.Value, "memory.swappiness", Format(swappiness));
        }
        if (memory.DisableOOMKiller == true)
        {
            Write(directory.Value, "memory.oom_control", "1");
        }
        if (memory.UseHierarchy is { } useHierarchy)
        {
            Write(directory.Value, "memory.use_hierarchy", useHierarchy ? "1" : "0");
        }
    }

    private void SetCpu(LinuxCpu cpu)
    {
        const string where = "linux.resources.cpu";
        if (IsSet(cpu.Shares))
        {
            var directory = Directory("cpu", where);
            Write(directory, "cpu.shares", Format(cpu.Shares!.Value));
            // The kernel clamps out-of-range shares silently; say so instead of pretending.
            var actual = ReadCounter(directory, "cpu.shares");
            if (actual != cpu.Shares.Value)
            {
                throw new CgroupConfigException($"{where}.shares {cpu.Shares.Value}: the kernel set {actual} (allowed range 2-262144)");
            }
        }
        // The period goes first: a quota is checked against the period in place.
        if (IsSet(cpu.Period))
        {
            Write(Directory("cpu", where), "cpu.cfs_period_us", Format(cpu.Period!.Value));
        }
        if (IsSet(cpu.Quota))
        {
            Write(Directory("cpu", where), "cpu.cfs_quota_us", Format(cpu.Quota!.Value));
        }
        if (cpu.Burst is { } burst)
        {
            Write(Directory("cpu", where), "cpu.cfs_burst_us", Format(burst));
        }
        if (IsSet(cpu.RealtimePeriod))
        {
            Write(Directory("cpu", where), "cpu.rt_period_us", Format(cpu.RealtimePeriod!.Value));
        }
        if (IsSet(cpu.RealtimeRuntime))
        {
            Write(Directory("cpu", where), "cpu.rt_runtime_us", Format(cpu.RealtimeRuntime!.Value));
        }
        if (cpu.Idle is { } idle)
        {
            Write(Directory("cpu", where), "cpu.idle", Format(idle));
        }
        if (!string.IsNullOrEmpty(cpu.Cpus))
        {
            Write(Directory("cpuset", where + ".cpus"), "cpuset.cpus", cpu.Cpus);
        }
        if (!string.IsNullOrEmpty(cpu.Mems))
        {
            Write(Directory("cpuset", where + ".mems"), "cpuset.mems", cpu.Mems);
        }
    }

    private void SetBlockIO(LinuxBlockIO io)
    {
        const string where = "linux.resources.blockIO";
        var directory = new Lazy<string>(() => Directory("blkio", where));
        // Kernels without CFQ only have the BFQ files.
        string WeightFile(string cfq, string bfq) => Has(directory.Value, cfq) || !Has(directory.Value, bfq) ? cfq : bfq;

        if (IsSet(io.Weight))
        {
            Write(directory.Value, WeightFile("blkio.weight", "blkio.bfq.weight"), Format((ulong)io.Weight!.Value));
        }
        if (IsSet(io.LeafWeight))
        {
            Write(directory.Value, "blkio.leaf_weight", Format((ulong)io.LeafWeight!.Value));
        }
        foreach (var device in io.WeightDevice ?? [])
        {
            if (device.Weight is { } weight)
            {
                Write(directory.Value, WeightFile("blkio.weight_device", "blkio.bfq.weight_device"), $"{device.Major}:{device.Minor} {weight}");
            }
            if (device.LeafWeight is { } leaf)
            {
                Write(directory.Value, "blkio.leaf_weight_device", $"{device.Major}:{device.Minor} {leaf}");
            }
        }
        Throttle(io.ThrottleReadBpsDevice, "blkio.throttle.read_bps_device");
        Throttle(io.ThrottleWriteBpsDevice, "blkio.throttle.write_bps_device");
        Throttle(io.ThrottleReadIOPSDevice, "blkio.throttle.read_iops_device");
        Throttle(io.ThrottleWriteIOPSDevice, "blkio.throttle.write_iops_device");

        void Throttle(List<LinuxThrottleDevice>? devices, string file)
        {
            foreach (var device in devices ?? [])
            {
                Write(directory.Value, file, $"{device.Major}:{device.Minor} {device.Rate}");
            }
        }
    }

    private void SetNetwork(LinuxNetwork network)
    {
        if (network.ClassID is { } classId)
        {
            if (_paths.TryGetValue("net_cls", out var directory))
            {
                Write(directory, "net_cls.classid", Format((ulong)classId));
            }
            else
            {
                Options.Debug?.Invoke("linux.resources.network.classID ignored: the net_cls controller is not mounted");
            }
        }
        if (network.Priorities is { Count: > 0 } priorities)
        {
            if (_paths.TryGetValue("net_prio", out var directory))
            {
                foreach (var priority in priorities)
                {
                    Write(directory, "net_prio.ifpriomap", $"{priority.Name} {priority.Priority}");
                }
            }
            else
            {
                Options.Debug?.Invoke("linux.resources.network.priorities ignored: the net_prio controller is not mounted");
            }
        }
    }
}
