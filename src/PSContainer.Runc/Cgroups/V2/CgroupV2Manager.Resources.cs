using PSContainer.Oci;
using PSContainer.Interop.Linux;
using static PSContainer.Runc.Cgroups.CgroupValues;

namespace PSContainer.Runc.Cgroups.V2;

// Writing linux.resources into cgroup v2 files: v1-style OCI values are converted (shares → weight,
// memory+swap → swap), settings v2 does not have are refused or noted, and "unified" goes last so
// its raw values win.
public sealed partial class CgroupV2Manager
{
    public override void Set(LinuxResources resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
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
            Write(_directory, "pids.max", pidsLimit > 0 ? Format(pidsLimit) : "max");
        }
        if (resources.BlockIO is { } blockIO)
        {
            SetIO(blockIO);
        }
        for (var i = 0; i < (resources.HugepageLimits?.Count ?? 0); i++)
        {
            var limit = resources.HugepageLimits![i];
            var size = PageSize(limit.PageSize, $"linux.resources.hugepageLimits[{i}]");
            Write(_directory, $"hugetlb.{size}.max", Format(limit.Limit));
        }
        if (resources.Network is { ClassID: not null } or { Priorities.Count: > 0 })
        {
            Options.Debug?.Invoke("linux.resources.network ignored: net_cls and net_prio exist only in cgroup v1");
        }
        foreach (var (device, limit) in resources.Rdma ?? [])
        {
            var parts = new List<string>();
            if (limit.HcaHandles is { } handles) parts.Add($"hca_handle={handles}");
            if (limit.HcaObjects is { } objects) parts.Add($"hca_object={objects}");
            if (parts.Count > 0)
            {
                Write(_directory, "rdma.max", $"{device} {string.Join(' ', parts)}");
            }
        }
        if (resources.Devices is { } devices)
        {
            DeviceFilter.Install(_directory, devices);
        }
        foreach (var (key, value) in resources.Unified ?? [])
        {
            SetUnified(key, value);
        }
    }

    private void SetMemory(LinuxMemory memory)
    {
        const string where = "linux.resources.memory";
        var swap = SwapToV2(memory.Swap, memory.Limit);
        if (swap is { } swapMax)
        {
            if (Has(_directory, "memory.swap.max"))
            {
                Write(_directory, "memory.swap.max", MaxOr(swapMax));
            }
            else if (swapMax != -1)
            {
                throw new CgroupConfigException($"{where}.swap: {System.IO.Path.Combine(_directory, "memory.swap.max")} is missing (swap accounting is off)");
            }
        }
        if (IsSet(memory.Limit))
        {
            Write(_directory, "memory.max", MaxOr(memory.Limit!.Value));
        }
        if (IsSet(memory.Reservation))
        {
            Write(_directory, "memory.low", MaxOr(memory.Reservation!.Value));
        }
        if (memory.Swappiness is { } swappiness)
        {
            throw new CgroupConfigException($"{where}.swappiness {swappiness}: cgroup v2 has no per-cgroup swappiness");
        }
        if (IsSet(memory.Kernel) || IsSet(memory.KernelTCP))
        {
            Options.Debug?.Invoke($"{where}.kernel/kernelTCP ignored: cgroup v2 accounts kernel memory with user memory");
        }
        if (memory.DisableOOMKiller == true)
        {
            Options.Debug?.Invoke($"{where}.disableOOMKiller ignored: cgroup v2 cannot disable the OOM killer per cgroup");
        }
    }

    private void SetCpu(LinuxCpu cpu)
    {
        const string where = "linux.resources.cpu";
        if (IsSet(cpu.RealtimePeriod) || IsSet(cpu.RealtimeRuntime))
        {
            throw new CgroupConfigException($"{where}.realtimePeriod/realtimeRuntime: cgroup v2 has no realtime CPU controller");
        }
        if (IsSet(cpu.Shares))
        {
            Write(_directory, "cpu.weight", Format(SharesToWeight(cpu.Shares!.Value)));
        }
        if (IsSet(cpu.Quota) || IsSet(cpu.Period))
        {
            // "$QUOTA $PERIOD"; the period can be left out to keep the current one.
            var quota = cpu.Quota is > 0 ? Format(cpu.Quota.Value) : "max";
            Write(_directory, "cpu.max", IsSet(cpu.Period) ? $"{quota} {Format(cpu.Period!.Value)}" : quota);
        }
        if (cpu.Burst is { } burst)
        {
            Write(_directory, "cpu.max.burst", Format(burst));
        }
        if (cpu.Idle is { } idle)
        {
            Write(_directory, "cpu.idle", Format(idle));
        }
        if (!string.IsNullOrEmpty(cpu.Cpus))
        {
            Write(_directory, "cpuset.cpus", cpu.Cpus);
        }
        if (!string.IsNullOrEmpty(cpu.Mems))
        {
            Write(_directory, "cpuset.mems", cpu.Mems);
        }
    }

    private void SetIO(LinuxBlockIO io)
    {
        // BFQ takes the blkio weights (1-1000) as they are; the default io.weight has its own range.
        var bfq = Has(_directory, "io.bfq.weight");
        if (IsSet(io.Weight))
        {
            if (bfq)
            {
                Write(_directory, "io.bfq.weight", Format((ulong)io.Weight!.Value));
            }
            else
            {
                Write(_directory, "io.weight", Format(BlkioWeightToIoWeight(io.Weight!.Value)));
            }
        }
        if (IsSet(io.LeafWeight))
        {
            Options.Debug?.Invoke("linux.resources.blockIO.leafWeight ignored: cgroup v2 has no leaf weights");
        }
        foreach (var device in io.WeightDevice ?? [])
        {
            if (device.Weight is { } weight)
            {
                if (bfq)
                {
                    Write(_directory, "io.bfq.weight", $"{device.Major}:{device.Minor} {weight}");
                }
                else
                {
                    Write(_directory, "io.weight", $"{device.Major}:{device.Minor} {BlkioWeightToIoWeight(weight)}");
                }
            }
        }
        Throttle(io.ThrottleReadBpsDevice, "rbps");
        Throttle(io.ThrottleWriteBpsDevice, "wbps");
        Throttle(io.ThrottleReadIOPSDevice, "riops");
        Throttle(io.ThrottleWriteIOPSDevice, "wiops");

        void Throttle(List<LinuxThrottleDevice>? devices, string key)
        {
            foreach (var device in devices ?? [])
            {
                // 0 means "no limit" in OCI; io.max spells that "max".
                Write(_directory, "io.max", $"{device.Major}:{device.Minor} {key}={(device.Rate == 0 ? "max" : Format(device.Rate))}");
            }
        }
    }

    private void SetUnified(string key, string value)
    {
        const string where = "linux.resources.unified";
        if (key.Length == 0 || key.Contains('/', StringComparison.Ordinal) || key.StartsWith('.') || !key.Contains('.', StringComparison.Ordinal))
        {
            throw new CgroupConfigException($"{where}: \"{key}\" is not a cgroup file name such as memory.high");
        }
        try
        {
            Write(_directory, key, value);
        }
        catch (SyscallException e) when (e.Errno == Errno.ENOENT)
        {
            var controller = key[..key.IndexOf('.', StringComparison.Ordinal)];
            var available = Has(_directory, "cgroup.controllers") ? Read(_directory, "cgroup.controllers").Trim() : "";
            throw new CgroupConfigException(
                $"{where}[\"{key}\"]: {System.IO.Path.Combine(_directory, key)} does not exist " +
                $"(controller \"{controller}\" is not enabled here; available: {(available.Length == 0 ? "none" : available)})", e);
        }
    }
}
