using System.Diagnostics;
using System.Text.Json.Nodes;
using PSContainer.Oci;
using PSContainer.Runc.Cgroups;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Runc.Tests.Cgroups;

/// <summary>
/// The same linux.resources through Debian's runc (/usr/sbin/runc) and through our v1 manager on
/// this host: the kernel must end up with the same values in every controller file both write.
/// </summary>
public sealed class RuncDifferentialTests
{
    private const string Runc = "/usr/sbin/runc";

    private static readonly (string Controller, string File)[] Compared =
    [
        ("memory", "memory.limit_in_bytes"), ("memory", "memory.memsw.limit_in_bytes"), ("memory", "memory.soft_limit_in_bytes"),
        ("memory", "memory.swappiness"), ("cpu", "cpu.shares"), ("cpu", "cpu.cfs_quota_us"), ("cpu", "cpu.cfs_period_us"),
        ("cpuset", "cpuset.cpus"), ("cpuset", "cpuset.mems"), ("pids", "pids.max"),
    ];

    private static LinuxResources Resources() => new()
    {
        Memory = new() { Limit = 96 * 1024 * 1024, Reservation = 32 * 1024 * 1024, Swap = 128 * 1024 * 1024, Swappiness = 17 },
        Cpu = new() { Shares = 333, Quota = 25000, Period = 50000, Cpus = "0", Mems = "0" },
        Pids = new() { Limit = 42 },
    };

    /// <summary>
    /// Runs runc with its output in a file: the container's init inherits runc's stdio, so a pipe
    /// would stay open (and a reader wait) until the container is deleted.
    /// </summary>
    private static (int ExitCode, string Output) Run(string work, params string[] args)
    {
        var log = Path.Combine(work, "runc.out");
        var start = new ProcessStartInfo("/bin/sh", ["-c", "exec \"$0\" \"$@\" </dev/null >\"$LOG\" 2>&1", Runc, .. args]);
        start.Environment["LOG"] = log;
        using var process = System.Diagnostics.Process.Start(start)!;
        process.WaitForExit();
        return (process.ExitCode, File.Exists(log) ? File.ReadAllText(log) : "");
    }

    private static Dictionary<string, string> ReadValues(Func<string, string> directoryOf) =>
        Compared.ToDictionary(c => c.File, c => File.ReadAllText(Path.Combine(directoryOf(c.Controller), c.File)).Trim());

    [RequiresRootFact]
    public void OurV1ValuesMatchRuncs()
    {
        Assert.True(File.Exists(Runc), $"{Runc} is not installed");
        var work = Directory.CreateTempSubdirectory("psc-cgsec-runc-").FullName;
        var id = "psc-cgsec-" + Guid.NewGuid().ToString("N")[..12];
        var runcPath = "/" + id + "-runc";
        var ours = CgroupManager.Open("/" + id + "-ours", id);
        var layout = CgroupLayout.Detect();
        try
        {
            var bundle = Path.Combine(work, "bundle");
            Directory.CreateDirectory(Path.Combine(bundle, "rootfs", "bin"));
            File.Copy("/bin/busybox", Path.Combine(bundle, "rootfs", "bin", "busybox"));
            var spec = Run(work, "spec", "--bundle", bundle);
            Assert.True(spec.ExitCode == 0, spec.Output);

            var configPath = Path.Combine(bundle, "config.json");
            var config = JsonNode.Parse(File.ReadAllText(configPath))!;
            config["process"]!["terminal"] = false;
            config["process"]!["args"] = new JsonArray("/bin/busybox", "sleep", "60");
            config["linux"]!["cgroupsPath"] = runcPath;
            var resources = config["linux"]!["resources"]!;
            resources["memory"] = new JsonObject { ["limit"] = 96 * 1024 * 1024, ["reservation"] = 32 * 1024 * 1024, ["swap"] = 128 * 1024 * 1024, ["swappiness"] = 17 };
            resources["cpu"] = new JsonObject { ["shares"] = 333, ["quota"] = 25000, ["period"] = 50000, ["cpus"] = "0", ["mems"] = "0" };
            resources["pids"] = new JsonObject { ["limit"] = 42 };
            File.WriteAllText(configPath, config.ToJsonString());

            var create = Run(work, "--root", Path.Combine(work, "state"), "create", "--bundle", bundle, id);
            Assert.True(create.ExitCode == 0, "runc create: " + create.Output);
            var theirs = ReadValues(c => layout.V1Hierarchy(c)!.DirectoryOf(runcPath));

            ours.Create();
            ours.Set(Resources());
            var mine = ReadValues(c => ours.Paths[c]);

            Assert.Equal(theirs, mine);
        }
        finally
        {
            Run(work, "--root", Path.Combine(work, "state"), "delete", "--force", id);
            ours.Destroy(killProcesses: true);
            Directory.Delete(work, recursive: true);
        }
    }
}
