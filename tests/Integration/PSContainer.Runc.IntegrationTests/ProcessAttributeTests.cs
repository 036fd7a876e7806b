using PSContainer.Oci;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Runc.IntegrationTests;

/// <summary>process.scheduler in a real container (runc 1.1 has no scheduler support to compare with).</summary>
public class ProcessAttributeTests(BundleFixture fixture) : IClassFixture<BundleFixture>
{
    [RequiresRootFact]
    public void The_scheduler_policy_and_nice_value_apply()
    {
        // /proc/PID/stat: field 19 is the nice value, field 41 the policy (SCHED_BATCH = 3).
        using var b = fixture.NewBundle(s =>
        {
            s.Process!.Args = ["sh", "-c", "awk '{print $19, $41}' /proc/self/stat"];
            s.Process.Scheduler = new LinuxScheduler { Policy = "SCHED_BATCH", Nice = 7 };
        });
        var r = Cli.Psc_(b, "run", "-b", b.Dir, "q" + Guid.NewGuid().ToString("N")[..10]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("7 3\n", r.Stdout);
    }

    [RequiresRootFact]
    public void The_final_cpu_affinity_applies_to_the_workload()
    {
        var last = Environment.ProcessorCount - 1;
        using var b = fixture.NewBundle(s =>
        {
            s.Process!.Args = ["grep", "Cpus_allowed_list", "/proc/self/status"];
            s.Process.ExecCpuAffinity = new CpuAffinity { Initial = "0", Final = $"{last}" };
        });
        var r = Cli.Psc_(b, "run", "-b", b.Dir, "q" + Guid.NewGuid().ToString("N")[..10]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal($"Cpus_allowed_list:\t{last}\n", r.Stdout);
    }

    [RequiresRootFact]
    public void An_apparmor_profile_without_apparmor_is_a_clear_error()
    {
        if (File.Exists("/sys/module/apparmor/parameters/enabled"))
        {
            return; // a host with AppArmor applies the profile instead (unit-tested plan)
        }
        using var b = fixture.NewBundle(s => s.Process!.ApparmorProfile = "docker-default");
        var r = Cli.Psc_(b, "run", "-b", b.Dir, "q" + Guid.NewGuid().ToString("N")[..10]);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("AppArmor is not enabled on this host", r.Stderr, StringComparison.Ordinal);
    }
}
