using System.Buffers.Binary;
using PSContainer.Oci;
using PSContainer.Runc.Container;
using PSContainer.Runc.Process;
using Xunit;

namespace PSContainer.Runc.Tests.Container;

/// <summary>process.scheduler (sched_setattr) and the LSM labels in the plan.</summary>
public class ProcessAttributePlanTests
{
    private static Plan Build(Spec spec, HostSecurityModules? lsm = null) => PlanBuilder.BuildInit(new PlanInputs
    {
        Spec = spec, Rootfs = "/r", ExecFifoFd = 7, CapabilityNumber = TestSpecs.Cap, Lsm = lsm ?? HostSecurityModules.None,
    });

    [Fact]
    public void The_scheduler_is_one_sched_setattr_with_the_kernels_struct()
    {
        var spec = TestSpecs.Busybox();
        spec.Process!.Scheduler = new LinuxScheduler { Policy = "SCHED_DEADLINE", Nice = -3, Priority = 0, Flags = ["SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM"], Runtime = 1000, Deadline = 2000, Period = 3000 };
        var attr = Build(spec).Steps.Single(s => s.Op == PlanOp.Sched).Strings[0];
        Assert.Equal(48, attr.Length);
        Assert.Equal(48u, BinaryPrimitives.ReadUInt32LittleEndian(attr));
        Assert.Equal(6u, BinaryPrimitives.ReadUInt32LittleEndian(attr.AsSpan(4)));
        Assert.Equal(3ul, BinaryPrimitives.ReadUInt64LittleEndian(attr.AsSpan(8)));
        Assert.Equal(-3, BinaryPrimitives.ReadInt32LittleEndian(attr.AsSpan(16)));
        Assert.Equal([1000ul, 2000ul, 3000ul], new[] { 24, 32, 40 }.Select(o => BinaryPrimitives.ReadUInt64LittleEndian(attr.AsSpan(o))));
    }

    [Theory]
    [InlineData("SCHED_NOPE", null, "process.scheduler.policy: unknown policy \"SCHED_NOPE\"")]
    [InlineData("SCHED_ISO", null, "process.scheduler.policy: SCHED_ISO is not implemented by Linux")]
    [InlineData("SCHED_OTHER", "SCHED_FLAG_NOPE", "process.scheduler.flags[0]: unknown flag \"SCHED_FLAG_NOPE\"")]
    public void A_bad_scheduler_names_the_field(string policy, string? flag, string message)
    {
        var spec = TestSpecs.Busybox();
        spec.Process!.Scheduler = new LinuxScheduler { Policy = policy, Flags = flag is null ? null : [flag] };
        Assert.EndsWith(message, Assert.Throws<RuncException>(() => Build(spec)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lsm_labels_are_set_for_exec_where_the_lsm_runs_and_refused_where_it_does_not()
    {
        var spec = TestSpecs.Busybox();
        spec.Process!.ApparmorProfile = "docker-default";
        Assert.Contains("process.apparmorProfile: \"docker-default\" is set but AppArmor is not enabled on this host",
            Assert.Throws<RuncException>(() => Build(spec)).Message, StringComparison.Ordinal);
        var write = Build(spec, new HostSecurityModules(AppArmor: true, Selinux: false)).Steps
            .Single(s => s.Op == PlanOp.WriteFile && s.Text(0) == "/proc/self/attr/apparmor/exec");
        Assert.Equal("exec docker-default", write.Text(1));

        spec.Process.ApparmorProfile = null;
        spec.Process.SelinuxLabel = "system_u:system_r:container_t:s0";
        Assert.Contains("SELinux is not enabled", Assert.Throws<RuncException>(() => Build(spec)).Message, StringComparison.Ordinal);
        Assert.Equal("system_u:system_r:container_t:s0", Build(spec, new HostSecurityModules(false, true)).Steps
            .Single(s => s.Op == PlanOp.WriteFile && s.Text(0) == "/proc/self/attr/exec").Text(1));
    }

    [Fact]
    public void Exec_cpu_affinity_is_a_mask_set_first_and_again_right_before_exec()
    {
        var spec = TestSpecs.Busybox();
        spec.Process!.ExecCpuAffinity = new CpuAffinity { Initial = "0-2,9", Final = "1" };
        var steps = Build(spec).Steps;
        Assert.Equal(PlanOp.Affinity, steps[0].Op);
        Assert.Equal(new byte[] { 0b0000_0111, 0b0000_0010, 0, 0, 0, 0, 0, 0 }, steps[0].Strings[0]);
        Assert.Equal(PlanOp.Affinity, steps[^2].Op);
        Assert.Equal(new byte[] { 0b10, 0, 0, 0, 0, 0, 0, 0 }, steps[^2].Strings[0]);
        Assert.Equal(16, CpuList.ToMask("64", "f").Length);
        spec.Process.ExecCpuAffinity.Final = "3-1";
        Assert.EndsWith("process.execCPUAffinity.final: invalid CPU range \"3-1\"", Assert.Throws<RuncException>(() => Build(spec)).Message, StringComparison.Ordinal);
        spec.Process.ExecCpuAffinity.Final = "a";
        Assert.EndsWith("process.execCPUAffinity.final: invalid CPU list \"a\"", Assert.Throws<RuncException>(() => Build(spec)).Message, StringComparison.Ordinal);
    }
}
