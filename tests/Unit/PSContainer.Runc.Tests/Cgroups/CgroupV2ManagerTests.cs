using PSContainer.Oci;
using PSContainer.Runc.Cgroups;
using PSContainer.Runc.Cgroups.V2;
using Xunit;

namespace PSContainer.Runc.Tests.Cgroups;

public sealed class CgroupV2ManagerTests : IDisposable
{
    private readonly CgroupFixture _fixture = CgroupFixture.V2();

    public void Dispose() => _fixture.Dispose();

    private ICgroupManager Open(string? cgroupsPath = "/psc/web") => CgroupManager.Open(cgroupsPath, "web", _fixture.Options());

    private List<(string, string)> Writes => _fixture.FileSystem.Writes;

    private ICgroupManager Created()
    {
        var manager = Open();
        manager.Create();
        Writes.Clear();
        return manager;
    }

    [Fact]
    public void UnifiedHostsGetTheV2ManagerWithOneDirectory()
    {
        var manager = Open(null);
        Assert.IsType<CgroupV2Manager>(manager);
        Assert.Equal(2, manager.Version);
        Assert.Equal("/web", manager.Path);
        Assert.Equal(_fixture.Path("web"), Assert.Single(manager.Paths).Value);
    }

    [Fact]
    public void CreateEnablesControllersInEveryAncestorButNotTheContainer()
    {
        var manager = Open();
        manager.Create();
        const string all = "+cpuset +cpu +io +memory +hugetlb +pids +rdma +misc";
        Assert.Equal([("/cgroup.subtree_control", all), ("/psc/cgroup.subtree_control", all)], Writes);
        Assert.Equal("cpuset cpu io memory hugetlb pids rdma misc\n", _fixture.ReadText("psc/web/cgroup.controllers"));
        Assert.Equal("", _fixture.ReadText("psc/web/cgroup.subtree_control"));

        // Already enabled: nothing is written again.
        Writes.Clear();
        CgroupManager.Open("/psc/other", "other", _fixture.Options()).Create();
        Assert.Empty(Writes);
    }

    [Fact]
    public void ControllersThatRefuseAreSkippedOneByOne()
    {
        _fixture.FileSystem.FailWrites["/cgroup.subtree_control"] = PSContainer.Interop.Linux.Errno.EINVAL;
        var manager = Open();
        manager.Create();
        Assert.Contains(_fixture.Debug, d => d.Contains("controller cpuset not enabled"));
        Assert.True(manager.Exists());
    }

    [Fact]
    public void SetConvertsV1StyleValuesToV2Files()
    {
        var manager = Created();
        manager.Set(new LinuxResources
        {
            Memory = new() { Limit = 1073741824, Swap = 1610612736, Reservation = 536870912 },
            Cpu = new() { Shares = 1024, Quota = 50000, Period = 100000, Burst = 20000, Idle = 0, Cpus = "0-1", Mems = "0" },
            Pids = new() { Limit = 64 },
            BlockIO = new()
            {
                Weight = 500,
                WeightDevice = [new() { Major = 8, Minor = 0, Weight = 1000 }],
                ThrottleReadBpsDevice = [new() { Major = 8, Minor = 0, Rate = 1048576 }],
                ThrottleWriteBpsDevice = [new() { Major = 8, Minor = 0, Rate = 0 }],
                ThrottleReadIOPSDevice = [new() { Major = 8, Minor = 0, Rate = 100 }],
                ThrottleWriteIOPSDevice = [new() { Major = 8, Minor = 0, Rate = 50 }],
            },
            HugepageLimits = [new() { PageSize = "2MB", Limit = 4194304 }],
            Rdma = new() { ["mlx5_1"] = new() { HcaHandles = 3, HcaObjects = 10000 } },
            Unified = new() { ["memory.high"] = "900000000", ["cpu.weight"] = "77" },
        });
        Assert.Equal(
        [
            ("/psc/web/memory.swap.max", "536870912"),
            ("/psc/web/memory.max", "1073741824"),
            ("/psc/web/memory.low", "536870912"),
            ("/psc/web/cpu.weight", "39"),
            ("/psc/web/cpu.max", "50000 100000"),
            ("/psc/web/cpu.max.burst", "20000"),
            ("/psc/web/cpu.idle", "0"),
            ("/psc/web/cpuset.cpus", "0-1"),
            ("/psc/web/cpuset.mems", "0"),
            ("/psc/web/pids.max", "64"),
            ("/psc/web/io.weight", "4950"),
            ("/psc/web/io.weight", "8:0 10000"),
            ("/psc/web/io.max", "8:0 rbps=1048576"),
            ("/psc/web/io.max", "8:0 wbps=max"),
            ("/psc/web/io.max", "8:0 riops=100"),
            ("/psc/web/io.max", "8:0 wiops=50"),
            ("/psc/web/hugetlb.2MB.max", "4194304"),
            ("/psc/web/rdma.max", "mlx5_1 hca_handle=3 hca_object=10000"),
            ("/psc/web/memory.high", "900000000"),
            ("/psc/web/cpu.weight", "77"),
        ], Writes);
    }

    [Fact]
    public void UnlimitedValuesAreWrittenAsMax()
    {
        var manager = Created();
        manager.Set(new LinuxResources { Memory = new() { Limit = -1 }, Cpu = new() { Quota = -1 }, Pids = new() { Limit = -1 } });
        Assert.Equal(
            [("/psc/web/memory.swap.max", "max"), ("/psc/web/memory.max", "max"), ("/psc/web/cpu.max", "max"), ("/psc/web/pids.max", "max")],
            Writes);
    }

    [Fact]
    public void BfqTakesBlkioWeightsUnconverted()
    {
        using var fixture = CgroupFixture.V2(bfq: true);
        var manager = CgroupManager.Open("/web", "web", fixture.Options());
        manager.Create();
        fixture.FileSystem.Writes.Clear();
        manager.Set(new LinuxResources { BlockIO = new() { Weight = 500, WeightDevice = [new() { Major = 8, Minor = 0, Weight = 700 }] } });
        Assert.Equal([("/web/io.bfq.weight", "500"), ("/web/io.bfq.weight", "8:0 700")], fixture.FileSystem.Writes);
    }

    [Fact]
    public void SettingsV2DoesNotHaveAreRefusedOrNoted()
    {
        var manager = Created();
        Assert.Contains("no per-cgroup swappiness", Assert.Throws<CgroupConfigException>(() =>
            manager.Set(new LinuxResources { Memory = new() { Swappiness = 0 } })).Message);
        Assert.Contains("no realtime", Assert.Throws<CgroupConfigException>(() =>
            manager.Set(new LinuxResources { Cpu = new() { RealtimeRuntime = 1000 } })).Message);
        manager.Set(new LinuxResources { Memory = new() { DisableOOMKiller = true, Kernel = 1 }, Network = new() { ClassID = 1 } });
        Assert.Empty(Writes);
        Assert.Equal(3, _fixture.Debug.Count);
    }

    [Fact]
    public void UnifiedKeysOfMissingControllersNameTheController()
    {
        var manager = Created();
        var error = Assert.Throws<CgroupConfigException>(() => manager.Set(new LinuxResources { Unified = new() { ["blkio.weight"] = "10" } }));
        Assert.Contains("controller \"blkio\" is not enabled here; available: cpuset cpu io memory hugetlb pids rdma misc", error.Message);
        Assert.Contains("is not a cgroup file name", Assert.Throws<CgroupConfigException>(() =>
            manager.Set(new LinuxResources { Unified = new() { ["../memory.max"] = "1" } })).Message);
    }

    [Fact]
    public void FreezeWritesCgroupFreezeAndWaitsForTheEvent()
    {
        var manager = Created();
        manager.Freeze();
        Assert.Equal(FreezerState.Frozen, manager.GetFreezerState());
        manager.Thaw();
        Assert.Equal(FreezerState.Thawed, manager.GetFreezerState());
        Assert.Equal([("/psc/web/cgroup.freeze", "1"), ("/psc/web/cgroup.freeze", "0")], Writes);
        _fixture.WriteText("psc/web/cgroup.freeze", "1\n"); // asked, but the kernel has not got there yet
        Assert.Equal(FreezerState.Freezing, manager.GetFreezerState());
    }

    [Fact]
    public void StatsComeFromTheV2Files()
    {
        var manager = Created();
        _fixture.WriteText("psc/web/cpu.stat", "usage_usec 2000\nuser_usec 1500\nsystem_usec 500\nnr_periods 7\nnr_throttled 2\nthrottled_usec 30\n");
        _fixture.WriteText("psc/web/memory.current", "4096000\n");
        _fixture.WriteText("psc/web/memory.max", "8192000\n");
        _fixture.WriteText("psc/web/memory.peak", "5000000\n");
        _fixture.WriteText("psc/web/memory.swap.current", "1000\n");
        _fixture.WriteText("psc/web/memory.swap.max", "max\n");
        _fixture.WriteText("psc/web/memory.events", "low 0\nhigh 0\nmax 6\noom 1\noom_kill 1\n");
        _fixture.WriteText("psc/web/memory.stat", "anon 100\nfile 2048\n");
        _fixture.WriteText("psc/web/pids.current", "2\n");
        _fixture.WriteText("psc/web/pids.max", "64\n");
        _fixture.WriteText("psc/web/io.stat", "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n");
        _fixture.WriteText("psc/web/hugetlb.2MB.current", "2097152\n");

        var stats = manager.GetStats();
        Assert.Equal(2_000_000UL, stats.Cpu.Usage.Total);
        Assert.Equal(1_500_000UL, stats.Cpu.Usage.User);
        Assert.Equal(500_000UL, stats.Cpu.Usage.Kernel);
        Assert.Equal(2UL, stats.Cpu.Throttling.ThrottledPeriods);
        Assert.Equal(30_000UL, stats.Cpu.Throttling.ThrottledTime);
        Assert.Equal(4096000UL, stats.Memory.Usage.Usage);
        Assert.Equal(8192000UL, stats.Memory.Usage.Limit);
        Assert.Equal(5000000UL, stats.Memory.Usage.Max);
        Assert.Equal(6UL, stats.Memory.Usage.Failcnt);
        Assert.Equal(2048UL, stats.Memory.Cache);
        Assert.Equal(4097000UL, stats.Memory.Swap.Usage);
        Assert.Equal(ulong.MaxValue, stats.Memory.Swap.Limit);
        Assert.Equal(2UL, stats.Pids.Current);
        Assert.Equal(64UL, stats.Pids.Limit);
        Assert.Equal(2, stats.Blkio.IoServiceBytesRecursive.Count);
        Assert.Equal(8192UL, stats.Blkio.IoServiceBytesRecursive.Single(e => e.Op == "Write").Value);
        Assert.Equal(2UL, stats.Blkio.IoServicedRecursive.Single(e => e.Op == "Write").Value);
        Assert.Equal(2097152UL, stats.Hugetlb["2MB"].Usage);
        Assert.Equal(1UL, manager.GetOomKillCount());
    }

    [Fact]
    public void DestroyWithKillUsesCgroupKill()
    {
        var manager = Created();
        manager.Apply(77);
        Assert.Equal([77], manager.GetPids());
        manager.Destroy(killProcesses: true);
        Assert.Contains(("/psc/web/cgroup.kill", "1"), Writes);
        Assert.Empty(_fixture.Kills);
        Assert.False(Directory.Exists(_fixture.Path("psc/web")));
        Assert.True(Directory.Exists(_fixture.Path("psc")));
    }

    [Fact]
    public void DestroyWithoutCgroupKillSignalsEachTask()
    {
        var manager = Created();
        File.Delete(_fixture.Path("psc/web/cgroup.kill"));
        manager.Apply(77);
        var options = _fixture.Options(kill: (pid, signal) =>
        {
            _fixture.Kills.Add((pid, signal));
            _fixture.WriteText("psc/web/cgroup.procs", "");
            return 0;
        });
        CgroupManager.Open("/psc/web", "web", options).Destroy(killProcesses: true);
        Assert.Equal([(77, 9)], _fixture.Kills);
        Assert.False(Directory.Exists(_fixture.Path("psc/web")));
    }
}
