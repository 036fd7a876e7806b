using PSContainer.Interop.Linux;
using PSContainer.Oci;
using PSContainer.Runc.Cgroups;
using Xunit;

namespace PSContainer.Runc.Tests.Cgroups;

public sealed class CgroupV1ManagerTests : IDisposable
{
    private readonly CgroupFixture _fixture = CgroupFixture.V1(hybrid: true);

    public void Dispose() => _fixture.Dispose();

    private ICgroupManager Open(string? cgroupsPath = "/psc/web") => CgroupManager.Open(cgroupsPath, "web", _fixture.Options());

    private List<(string, string)> Writes => _fixture.FileSystem.Writes;

    [Fact]
    public void HybridHostsGetTheV1ManagerWithEveryHierarchyIncludingSystemdAndUnified()
    {
        var manager = Open();
        Assert.Equal(1, manager.Version);
        Assert.Equal("/psc/web", manager.Path);
        Assert.Equal(_fixture.Path("memory/psc/web"), manager.Paths["memory"]);
        Assert.Equal(_fixture.Path("systemd/psc/web"), manager.Paths["name=systemd"]);
        Assert.Equal(_fixture.Path("unified/psc/web"), manager.Paths[""]);
        Assert.Equal(CgroupFixture.V1Controllers.Length + 2, manager.Paths.Count);
    }

    [Fact]
    public void CreateMakesEveryHierarchyAndFillsEmptyCpusetsFromTheParents()
    {
        var manager = Open();
        manager.Create();
        foreach (var directory in manager.Paths.Values)
        {
            Assert.True(Directory.Exists(directory), directory);
        }
        // The intermediate /psc gets the root's cpus and mems first, then /psc/web gets them from /psc.
        Assert.Equal(
            [("/cpuset/psc/cpuset.cpus", "0-1"), ("/cpuset/psc/cpuset.mems", "0"), ("/cpuset/psc/web/cpuset.cpus", "0-1"), ("/cpuset/psc/web/cpuset.mems", "0")],
            Writes);
        Assert.True(manager.Exists());
    }

    [Fact]
    public void ExistingCpusetValuesAreKept()
    {
        Directory.CreateDirectory(_fixture.Path("cpuset/psc"));
        _fixture.WriteText("cpuset/psc/cpuset.cpus", "1\n");
        _fixture.WriteText("cpuset/psc/cpuset.mems", "0\n");
        Open().Create();
        Assert.Equal([("/cpuset/psc/web/cpuset.cpus", "1"), ("/cpuset/psc/web/cpuset.mems", "0")], Writes);
    }

    [Fact]
    public void ApplyWritesThePidIntoEveryHierarchy()
    {
        var manager = Open();
        manager.Create();
        Writes.Clear();
        manager.Apply(4242);
        Assert.Equal(manager.Paths.Values.Distinct().Count(), Writes.Count);
        Assert.All(Writes, w => Assert.Equal("4242", w.Item2));
        Assert.Contains(("/systemd/psc/web/cgroup.procs", "4242"), Writes);
        Assert.Contains(("/unified/psc/web/cgroup.procs", "4242"), Writes);
        Assert.Equal([4242], manager.GetPids());
    }

    [Fact]
    public void SetWritesEachResourceToItsFile()
    {
        var manager = Open();
        manager.Create();
        Writes.Clear();
        manager.Set(new LinuxResources
        {
            Devices =
            [
                new() { Allow = false, Access = "rwm" },
                new() { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rwm" },
                new() { Allow = true, Type = "c", Major = 136, Access = "rw" },
            ],
            Memory = new() { Limit = 1073741824, Reservation = 536870912, Swap = 2147483648, Swappiness = 10, DisableOOMKiller = true, KernelTCP = 1048576 },
            Cpu = new() { Shares = 512, Quota = 50000, Period = 100000, Burst = 1000, RealtimePeriod = 1000000, RealtimeRuntime = 950000, Cpus = "0", Mems = "0" },
            Pids = new() { Limit = 100 },
            BlockIO = new()
            {
                Weight = 300, LeafWeight = 200,
                WeightDevice = [new() { Major = 8, Minor = 0, Weight = 400, LeafWeight = 100 }],
                ThrottleReadBpsDevice = [new() { Major = 8, Minor = 0, Rate = 1048576 }],
                ThrottleWriteIOPSDevice = [new() { Major = 8, Minor = 16, Rate = 100 }],
            },
        });
        Assert.Equal(
        [
            ("/devices/psc/web/devices.deny", "a *:* rwm"),
            ("/devices/psc/web/devices.allow", "c 1:3 rwm"),
            ("/devices/psc/web/devices.allow", "c 136:* rw"),
            // current limit (unlimited) >= new memsw: limit first, then memsw.
            ("/memory/psc/web/memory.limit_in_bytes", "1073741824"),
            ("/memory/psc/web/memory.memsw.limit_in_bytes", "2147483648"),
            ("/memory/psc/web/memory.soft_limit_in_bytes", "536870912"),
            ("/memory/psc/web/memory.kmem.tcp.limit_in_bytes", "1048576"),
            ("/memory/psc/web/memory.swappiness", "10"),
            ("/memory/psc/web/memory.oom_control", "1"),
            ("/cpu/psc/web/cpu.shares", "512"),
            ("/cpu/psc/web/cpu.cfs_period_us", "100000"),
            ("/cpu/psc/web/cpu.cfs_quota_us", "50000"),
            ("/cpu/psc/web/cpu.cfs_burst_us", "1000"),
            ("/cpu/psc/web/cpu.rt_period_us", "1000000"),
            ("/cpu/psc/web/cpu.rt_runtime_us", "950000"),
            ("/cpuset/psc/web/cpuset.cpus", "0"),
            ("/cpuset/psc/web/cpuset.mems", "0"),
            ("/pids/psc/web/pids.max", "100"),
            ("/blkio/psc/web/blkio.weight", "300"),
            ("/blkio/psc/web/blkio.leaf_weight", "200"),
            ("/blkio/psc/web/blkio.weight_device", "8:0 400"),
            ("/blkio/psc/web/blkio.leaf_weight_device", "8:0 100"),
            ("/blkio/psc/web/blkio.throttle.read_bps_device", "8:0 1048576"),
            ("/blkio/psc/web/blkio.throttle.write_iops_device", "8:16 100"),
        ], Writes);
        Assert.Equal("1073741824", _fixture.ReadText("memory/psc/web/memory.limit_in_bytes"));
    }

    [Fact]
    public void DeviceRulesAlreadyInPlaceAreNotRewritten()
    {
        var manager = Open();
        manager.Create();
        List<LinuxDeviceCgroup> rules =
        [
            new() { Allow = false, Access = "rwm" },
            new() { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rwm" },
            new() { Allow = true, Type = "c", Major = 136, Access = "wr" },
        ];
        // What the kernel lists after those writes (it prints access as r, w, m).
        _fixture.WriteText("devices/psc/web/devices.list", "c 136:* rw\nc 1:3 rwm\n");
        Writes.Clear();
        manager.Update(new LinuxResources { Devices = rules });
        Assert.Empty(Writes);

        rules.Add(new() { Allow = true, Type = "c", Major = 1, Minor = 5, Access = "rwm" });
        manager.Update(new LinuxResources { Devices = rules });
        Assert.Equal(
        [
            ("/devices/psc/web/devices.deny", "a *:* rwm"),
            ("/devices/psc/web/devices.allow", "c 1:3 rwm"),
            ("/devices/psc/web/devices.allow", "c 136:* wr"),
            ("/devices/psc/web/devices.allow", "c 1:5 rwm"),
        ], Writes);
    }

    [Fact]
    public void RaisingMemoryAboveTheCurrentLimitWritesMemswFirst()
    {
        var manager = Open();
        manager.Create();
        _fixture.WriteText("memory/psc/web/memory.limit_in_bytes", "104857600\n");
        Writes.Clear();
        manager.Update(new LinuxResources { Memory = new() { Limit = 209715200, Swap = 419430400 } });
        Assert.Equal(
            [("/memory/psc/web/memory.memsw.limit_in_bytes", "419430400"), ("/memory/psc/web/memory.limit_in_bytes", "209715200")],
            Writes);

        Writes.Clear();
        manager.Update(new LinuxResources { Memory = new() { Limit = -1, Swap = -1 } });
        Assert.Equal([("/memory/psc/web/memory.memsw.limit_in_bytes", "-1"), ("/memory/psc/web/memory.limit_in_bytes", "-1")], Writes);
    }

    [Fact]
    public void PidsWithoutALimitAreMaxAndUnsetValuesAreLeftAlone()
    {
        var manager = Open();
        manager.Create();
        Writes.Clear();
        manager.Set(new LinuxResources { Pids = new() { Limit = 0 }, Memory = new() { Limit = 0 }, Cpu = new() { Shares = 0, Cpus = "" } });
        Assert.Equal([("/pids/psc/web/pids.max", "max")], Writes);
    }

    [Fact]
    public void FailedWritesNameTheFileTheValueAndTheErrno()
    {
        var manager = Open();
        manager.Create();
        // A directory where the control file should be: the real write path reports EISDIR.
        File.Delete(_fixture.Path("memory/psc/web/memory.limit_in_bytes"));
        Directory.CreateDirectory(_fixture.Path("memory/psc/web/memory.limit_in_bytes"));
        var error = Assert.Throws<SyscallException>(() => manager.Set(new LinuxResources { Memory = new() { Limit = 1073741824 } }));
        Assert.Equal($"write 1073741824 to {_fixture.Path("memory/psc/web/memory.limit_in_bytes")}: EISDIR (Is a directory)", error.Message);
        Directory.Delete(_fixture.Path("memory/psc/web/memory.limit_in_bytes"));

        _fixture.FileSystem.FailWrites["/pids/psc/web/pids.max"] = Errno.EINVAL;
        var invalid = Assert.Throws<SyscallException>(() => manager.Set(new LinuxResources { Pids = new() { Limit = 5 } }));
        Assert.Equal($"write 5 to {_fixture.Path("pids/psc/web/pids.max")}: EINVAL (Invalid argument)", invalid.Message);

        // A control file this kernel does not have: the real open reports ENOENT with the path.
        File.Delete(_fixture.Path("cpu/psc/web/cpu.idle"));
        var missing = Assert.Throws<SyscallException>(() => manager.Set(new LinuxResources { Cpu = new() { Idle = 1 } }));
        Assert.Equal($"write 1 to {_fixture.Path("cpu/psc/web/cpu.idle")}: ENOENT (No such file or directory)", missing.Message);
    }

    [Fact]
    public void ResourcesOfControllersThatAreNotMountedAreRejectedOrNoted()
    {
        var manager = Open();
        manager.Create();
        Writes.Clear();
        Assert.Equal("linux.resources.hugepageLimits: the hugetlb cgroup controller is not mounted on this host",
            Assert.Throws<CgroupConfigException>(() => manager.Set(new LinuxResources { HugepageLimits = [new() { PageSize = "2MB", Limit = 1 }] })).Message);
        Assert.Contains("needs cgroup v2", Assert.Throws<CgroupConfigException>(() =>
            manager.Set(new LinuxResources { Unified = new() { ["memory.high"] = "1" } })).Message);
        manager.Set(new LinuxResources { Network = new() { ClassID = 7, Priorities = [new() { Name = "eth0", Priority = 3 }] } });
        Assert.Empty(Writes);
        Assert.Contains(_fixture.Debug, d => d.Contains("net_cls"));
        Assert.Contains(_fixture.Debug, d => d.Contains("net_prio"));
        Assert.Contains("below", Assert.Throws<CgroupConfigException>(() =>
            manager.Set(new LinuxResources { Memory = new() { Limit = 200, Swap = 100 } })).Message);
        Assert.Contains("out of range", Assert.Throws<CgroupConfigException>(() =>
            manager.Set(new LinuxResources { Memory = new() { Swappiness = 101 } })).Message);
    }

    [Fact]
    public void NetworkAndHugetlbAreWrittenWhereMounted()
    {
        using var fixture = CgroupFixture.V1(hybrid: false, [.. CgroupFixture.V1Controllers, "net_cls", "net_prio", "hugetlb"]);
        var manager = CgroupManager.Open("/psc/web", "web", fixture.Options());
        manager.Create();
        fixture.FileSystem.Writes.Clear();
        manager.Set(new LinuxResources
        {
            Network = new() { ClassID = 0x100001, Priorities = [new() { Name = "eth0", Priority = 3 }, new() { Name = "lo", Priority = 1 }] },
            HugepageLimits = [new() { PageSize = "2MB", Limit = 209715200 }],
        });
        Assert.Equal(
        [
            ("/hugetlb/psc/web/hugetlb.2MB.limit_in_bytes", "209715200"),
            ("/net_cls/psc/web/net_cls.classid", "1048577"),
            ("/net_prio/psc/web/net_prio.ifpriomap", "eth0 3"),
            ("/net_prio/psc/web/net_prio.ifpriomap", "lo 1"),
        ], fixture.FileSystem.Writes);
        Assert.False(manager.Paths.ContainsKey(""));
    }

    [Fact]
    public void SharesTheKernelClampsAreReported()
    {
        var manager = Open();
        manager.Create();
        manager.Set(new LinuxResources { Cpu = new() { Shares = 512 } });
        Assert.Equal("512", _fixture.ReadText("cpu/psc/web/cpu.shares"));
        _fixture.FileSystem.KernelRewrites["/cpu/psc/web/cpu.shares"] = "262144\n";
        var error = Assert.Throws<CgroupConfigException>(() => manager.Set(new LinuxResources { Cpu = new() { Shares = 500000 } }));
        Assert.Equal("linux.resources.cpu.shares 500000: the kernel set 262144 (allowed range 2-262144)", error.Message);
    }

    [Fact]
    public void FreezeAndThawUseFreezerState()
    {
        var manager = Open();
        manager.Create();
        Writes.Clear();
        manager.Freeze();
        Assert.Equal(FreezerState.Frozen, manager.GetFreezerState());
        manager.Thaw();
        Assert.Equal(FreezerState.Thawed, manager.GetFreezerState());
        Assert.Equal([("/freezer/psc/web/freezer.state", "FROZEN"), ("/freezer/psc/web/freezer.state", "THAWED")], Writes);
    }

    [Fact]
    public void StatsAndOomKillsAreReadFromTheControllerFiles()
    {
        var manager = Open();
        manager.Create();
        _fixture.WriteText("memory/psc/web/memory.usage_in_bytes", "1048576\n");
        _fixture.WriteText("memory/psc/web/memory.limit_in_bytes", "67108864\n");
        _fixture.WriteText("memory/psc/web/memory.max_usage_in_bytes", "2097152\n");
        _fixture.WriteText("memory/psc/web/memory.failcnt", "3\n");
        _fixture.WriteText("memory/psc/web/memory.stat", "cache 4096\nrss 8192\ntotal_cache 12288\n");
        _fixture.WriteText("memory/psc/web/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
        _fixture.WriteText("cpuacct/psc/web/cpuacct.usage", "123456789\n");
        _fixture.WriteText("cpuacct/psc/web/cpuacct.usage_percpu", "100000000 23456789 \n");
        _fixture.WriteText("cpuacct/psc/web/cpuacct.stat", "user 7\nsystem 3\n");
        _fixture.WriteText("cpu/psc/web/cpu.stat", "nr_periods 10\nnr_throttled 4\nthrottled_time 5000\n");
        _fixture.WriteText("pids/psc/web/pids.current", "3\n");
        _fixture.WriteText("pids/psc/web/pids.max", "max\n");
        _fixture.WriteText("blkio/psc/web/blkio.throttle.io_service_bytes_recursive", "8:0 Read 4096\n8:0 Write 8192\n8:0 Total 12288\nTotal 12288\n");

        var stats = manager.GetStats();
        Assert.Equal(1048576UL, stats.Memory.Usage.Usage);
        Assert.Equal(67108864UL, stats.Memory.Usage.Limit);
        Assert.Equal(2097152UL, stats.Memory.Usage.Max);
        Assert.Equal(3UL, stats.Memory.Usage.Failcnt);
        Assert.Equal(12288UL, stats.Memory.Cache);
        Assert.Equal(8192UL, stats.Memory.Raw["rss"]);
        Assert.Equal(123456789UL, stats.Cpu.Usage.Total);
        Assert.Equal([100000000UL, 23456789UL], stats.Cpu.Usage.PerCpu!);
        Assert.Equal(70_000_000UL, stats.Cpu.Usage.User);
        Assert.Equal(30_000_000UL, stats.Cpu.Usage.Kernel);
        Assert.Equal(4UL, stats.Cpu.Throttling.ThrottledPeriods);
        Assert.Equal(5000UL, stats.Cpu.Throttling.ThrottledTime);
        Assert.Equal(3UL, stats.Pids.Current);
        Assert.Equal(0UL, stats.Pids.Limit);
        Assert.Equal(3, stats.Blkio.IoServiceBytesRecursive.Count);
        Assert.Equal("Write", stats.Blkio.IoServiceBytesRecursive[1].Op);
        Assert.Equal(8192UL, stats.Blkio.IoServiceBytesRecursive[1].Value);
        Assert.Equal(2UL, manager.GetOomKillCount());
    }

    [Fact]
    public void CheckBeforeUpdateRefusesALimitBelowUsage()
    {
        var manager = Open();
        manager.Create();
        _fixture.WriteText("memory/psc/web/memory.usage_in_bytes", "5000000\n");
        Writes.Clear();
        Assert.Contains("below the current usage 5000000", Assert.Throws<CgroupConfigException>(() =>
            manager.Update(new LinuxResources { Memory = new() { Limit = 4000000, CheckBeforeUpdate = true } })).Message);
        Assert.Empty(Writes);
        manager.Update(new LinuxResources { Memory = new() { Limit = 6000000, CheckBeforeUpdate = true } });
        Assert.Equal([("/memory/psc/web/memory.limit_in_bytes", "6000000")], Writes);
    }

    [Fact]
    public void DestroyRemovesEveryHierarchyRetryingWhileBusy()
    {
        var manager = Open();
        manager.Create();
        Directory.CreateDirectory(_fixture.Path("memory/psc/web/nested")); // a child cgroup made inside the container
        _fixture.FileSystem.BusyRmdirs = 2;
        manager.Destroy();
        foreach (var directory in manager.Paths.Values)
        {
            Assert.False(Directory.Exists(directory), directory);
        }
        Assert.Contains("/memory/psc/web/nested", _fixture.FileSystem.Removed);
        Assert.True(Directory.Exists(_fixture.Path("memory/psc")), "the parent is not the container's to remove");
        manager.Destroy(); // again: nothing left, no error
    }

    [Fact]
    public void DestroyWithKillSignalsEveryTaskWhileFrozen()
    {
        var killed = new List<int>();
        var manager = CgroupManager.Open("/psc/web", "web", _fixture.Options(kill: (pid, signal) =>
        {
            Assert.Equal(9, signal);
            Assert.Equal("FROZEN", _fixture.ReadText("freezer/psc/web/freezer.state"));
            killed.Add(pid);
            // The task dies: it leaves every hierarchy.
            foreach (var controller in CgroupFixture.V1Controllers.Append("systemd").Append("unified"))
            {
                var procs = _fixture.Path($"{controller}/psc/web/cgroup.procs");
                File.WriteAllText(procs, string.Join('\n', File.ReadAllLines(procs).Where(l => l != pid.ToString(System.Globalization.CultureInfo.InvariantCulture))));
            }
            return 0;
        }));
        manager.Create();
        manager.Apply(1001);
        manager.Apply(1002);
        manager.Destroy(killProcesses: true);
        Assert.Equal([1001, 1002], killed);
        Assert.False(Directory.Exists(manager.Paths["pids"]));
    }

    [Fact]
    public void AFailedCreateLeavesNothingBehind()
    {
        _fixture.FileSystem.FailMkdirs["/freezer/psc/web"] = Errno.EACCES;
        var manager = Open();
        var error = Assert.Throws<SyscallException>(manager.Create);
        Assert.Equal($"mkdir {_fixture.Path("freezer/psc/web")}: EACCES (Permission denied)", error.Message);
        foreach (var controller in CgroupFixture.V1Controllers)
        {
            Assert.False(Directory.Exists(_fixture.Path($"{controller}/psc")), controller);
        }
    }
}
