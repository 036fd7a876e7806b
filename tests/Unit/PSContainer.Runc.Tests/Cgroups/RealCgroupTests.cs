using System.Diagnostics;
using PSContainer.Oci;
using PSContainer.Runc.Cgroups;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Runc.Tests.Cgroups;

/// <summary>
/// The managers on this machine's real /sys/fs/cgroup (hybrid: v1 controllers plus an empty cgroup2
/// tree, which still has the v2 core: cgroup.procs, cgroup.freeze, cgroup.kill, device programs).
/// Every test makes a uniquely named cgroup and removes it, and kills its child, in finally.
/// </summary>
public sealed class RealCgroupTests
{
    private static string UniquePath() => $"/psc-cgsec-test-{Guid.NewGuid():N}";

    /// <summary>A shell that waits for one line on stdin before it runs <paramref name="script"/>, so it can be moved into a cgroup first.</summary>
    private static System.Diagnostics.Process StartGated(string script)
    {
        var start = new ProcessStartInfo("/bin/sh", ["-c", "read go; " + script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        return System.Diagnostics.Process.Start(start)!;
    }

    private static void Stop(System.Diagnostics.Process process)
    {
        if (!process.HasExited)
        {
            process.Kill();
            process.WaitForExit();
        }
        process.Dispose();
    }

    /// <summary>A layout with only the real cgroup2 mount, so the v2 manager drives it.</summary>
    private static CgroupLayout UnifiedOnly()
    {
        var line = File.ReadAllLines("/proc/self/mountinfo").FirstOrDefault(l => l.Contains(" - cgroup2 ", StringComparison.Ordinal));
        Assert.True(line is not null, "this host has no cgroup2 mount");
        return CgroupLayout.Parse(line + "\n");
    }

    [RequiresRootFact]
    public void V1ManagerLimitsFreezesReportsAndDestroysOnThisHost()
    {
        var manager = CgroupManager.Open(UniquePath(), "test");
        Assert.Equal(1, manager.Version); // this machine is hybrid
        var sleeper = StartGated("exec sleep 300");
        try
        {
            manager.Create();
            manager.Set(new LinuxResources { Memory = new() { Limit = 64 * 1024 * 1024 }, Pids = new() { Limit = 32 } });
            manager.Apply(sleeper.Id);
            Assert.Contains(sleeper.Id, manager.GetPids());
            Assert.Contains(manager.Path, File.ReadAllText($"/proc/{sleeper.Id}/cgroup"));

            sleeper.StandardInput.WriteLine("go");
            sleeper.StandardInput.Flush();
            // v1 charges a task's memory to the cgroup it allocates in: pages it touched before
            // Apply stay with the old cgroup, so usage appears only once the exec'd sleep has run.
            var stats = manager.GetStats();
            for (var i = 0; i < 100 && stats.Memory.Usage.Usage == 0; i++)
            {
                Thread.Sleep(50);
                stats = manager.GetStats();
            }
            Assert.Equal(64UL * 1024 * 1024, stats.Memory.Usage.Limit);
            Assert.True(stats.Memory.Usage.Usage > 0, "memory usage stayed 0 for 5 s");
            Assert.Equal(32UL, stats.Pids.Limit);
            Assert.InRange(stats.Pids.Current, 1UL, 32UL);
            Assert.Equal(0UL, manager.GetOomKillCount());

            manager.Freeze();
            Assert.Equal(FreezerState.Frozen, manager.GetFreezerState());
            manager.Thaw();
            Assert.Equal(FreezerState.Thawed, manager.GetFreezerState());

            manager.Destroy(killProcesses: true);
            Assert.True(sleeper.WaitForExit(30_000), "the task survived Destroy(killProcesses: true)");
            Assert.All(manager.Paths.Values, d => Assert.False(Directory.Exists(d), d));
        }
        finally
        {
            Stop(sleeper);
            manager.Destroy();
        }
    }

    [RequiresRootFact]
    public void V1DevicesCgroupAllowsOnlyTheListedDevices()
    {
        var manager = CgroupManager.Open(UniquePath(), "test");
        var shell = StartGated("echo x > /dev/null && echo null-ok; head -c1 /dev/zero > /dev/null && echo zero-ok; true");
        try
        {
            manager.Create();
            manager.Set(new LinuxResources
            {
                Devices = [new() { Allow = false, Access = "rwm" }, new() { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rwm" }],
            });
            Assert.Equal("c 1:3 rwm", File.ReadAllText(Path.Combine(manager.Paths["devices"], "devices.list")).Trim());
            manager.Apply(shell.Id);
            shell.StandardInput.WriteLine("go");
            shell.StandardInput.Flush();
            var output = shell.StandardOutput.ReadToEnd();
            shell.WaitForExit();
            Assert.Contains("null-ok", output);
            Assert.DoesNotContain("zero-ok", output);
            Assert.Contains("Operation not permitted", shell.StandardError.ReadToEnd());
        }
        finally
        {
            Stop(shell);
            manager.Destroy(killProcesses: true);
        }
    }

    [RequiresRootFact]
    public void V2DeviceProgramFreezerAndKillWorkOnTheRealCgroup2Tree()
    {
        var manager = CgroupManager.Open(UniquePath(), "test", new CgroupOptions { Layout = UnifiedOnly() });
        Assert.Equal(2, manager.Version);
        var shell = StartGated("echo x > /dev/null && echo null-ok; head -c1 /dev/zero > /dev/null && echo zero-ok; echo tried; read again; echo done");
        try
        {
            manager.Create();
            manager.Set(new LinuxResources
            {
                Devices = [new() { Allow = false, Access = "rwm" }, new() { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rw" }],
            });
            // Setting the devices again replaces the program instead of stacking a second one.
            manager.Set(new LinuxResources
            {
                Devices = [new() { Allow = false, Access = "rwm" }, new() { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rw" }],
            });
            manager.Apply(shell.Id);
            Assert.Equal([shell.Id], manager.GetPids());
            shell.StandardInput.WriteLine("go");
            shell.StandardInput.Flush();
            Assert.Equal("null-ok", shell.StandardOutput.ReadLine());
            Assert.Equal("tried", shell.StandardOutput.ReadLine()); // /dev/zero was refused: no "zero-ok" line

            manager.Freeze();
            Assert.Equal(FreezerState.Frozen, manager.GetFreezerState());
            manager.Thaw();
            Assert.Equal(FreezerState.Thawed, manager.GetFreezerState());

            manager.Destroy(killProcesses: true);
            Assert.True(shell.WaitForExit(30_000), "the task survived cgroup.kill");
            Assert.Equal("", shell.StandardOutput.ReadToEnd()); // killed while waiting: no "done"
            Assert.Contains("Operation not permitted", shell.StandardError.ReadToEnd());
            Assert.False(Directory.Exists(manager.Paths[""]));
        }
        finally
        {
            Stop(shell);
            manager.Destroy(killProcesses: true);
        }
    }
}
