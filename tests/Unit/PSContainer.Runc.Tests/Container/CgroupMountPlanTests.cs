using PSContainer.Oci;
using PSContainer.Runc.Container;
using PSContainer.Runc.Process;
using Xunit;
using static PSContainer.Runc.Container.MountOptions;

namespace PSContainer.Runc.Tests.Container;

/// <summary>The plan for a `cgroup` mount: runc's v1 layout (tmpfs, one entry per hierarchy, symlinks), cgroup2 on v2 hosts, user namespace fallbacks.</summary>
public class CgroupMountPlanTests
{
    private const string Rootfs = "/bundles/b/rootfs";

    private static readonly CgroupMountSource[] HybridHost =
    [
        new("/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/cpu,cpuacct/psc/web", ["cpu", "cpuacct"], false),
        new("/sys/fs/cgroup/memory", "/sys/fs/cgroup/memory/psc/web", ["memory"], false),
        new("/sys/fs/cgroup/systemd", "/sys/fs/cgroup/systemd/psc/web", ["name=systemd"], false),
        new("/sys/fs/cgroup/unified", "/sys/fs/cgroup/unified/psc/web", [], true),
    ];

    private static readonly CgroupMountSource[] UnifiedHost = [new("/sys/fs/cgroup", "/sys/fs/cgroup/psc/web", [], true)];

    private static Plan Build(IReadOnlyList<CgroupMountSource> host, params string[] extraNamespaces)
    {
        var spec = TestSpecs.Busybox();
        spec.Mounts!.Add(new Mount { Destination = "/sys/fs/cgroup", Type = "cgroup", Source = "cgroup", Options = ["nosuid", "noexec", "nodev", "relatime", "ro"] });
        foreach (var type in extraNamespaces)
        {
            spec.Linux!.Namespaces!.Add(new LinuxNamespace { Type = type });
        }
        if (extraNamespaces.Contains("user"))
        {
            spec.Linux!.UidMappings = [new LinuxIdMapping { ContainerID = 0, HostID = 100000, Size = 65536 }];
            spec.Linux.GidMappings = [new LinuxIdMapping { ContainerID = 0, HostID = 100000, Size = 65536 }];
        }
        return PlanBuilder.BuildInit(new PlanInputs
        {
            Spec = spec,
            Rootfs = Rootfs,
            ExecFifoFd = 7,
            CapabilityNumber = TestSpecs.Cap,
            CgroupMounts = host,
        });
    }

    private static List<string> CgroupSteps(Plan plan) => plan.Steps
        .Where(s => s.Op is PlanOp.Mount or PlanOp.Symlink && s.Text(1).StartsWith("/sys/fs/cgroup", StringComparison.Ordinal))
        .Select(s => s.Op == PlanOp.Symlink
            ? $"symlink {s.Text(1)} -> {s.Text(0)}"
            : $"{s.Text(0)}|{s.Text(1)}|{s.Text(2)}|0x{s.Numbers[0]:x}|{(StepOptions)s.Numbers[1]}|{s.Text(3)}")
        .ToList();

    private const ulong Safe = MS_NOSUID | MS_NODEV | MS_NOEXEC;

    [Fact]
    public void A_hybrid_host_gets_a_tmpfs_with_a_read_only_bind_of_the_containers_cgroup_per_hierarchy()
    {
        Assert.Equal(
        [
            $"tmpfs|/sys/fs/cgroup|tmpfs|0x{Safe:x}|InRoot, Mkdir|mode=755",
            $"/sys/fs/cgroup/cpu,cpuacct/psc/web|/sys/fs/cgroup/cpu,cpuacct||0x{MS_BIND | MS_REC:x}|InRoot, Mkdir|",
            $"|/sys/fs/cgroup/cpu,cpuacct||0x{MS_BIND | MS_REMOUNT | MS_REC | Safe | MS_RDONLY | MS_RELATIME:x}|InRoot|",
            $"/sys/fs/cgroup/memory/psc/web|/sys/fs/cgroup/memory||0x{MS_BIND | MS_REC:x}|InRoot, Mkdir|",
            $"|/sys/fs/cgroup/memory||0x{MS_BIND | MS_REMOUNT | MS_REC | Safe | MS_RDONLY | MS_RELATIME:x}|InRoot|",
            $"/sys/fs/cgroup/systemd/psc/web|/sys/fs/cgroup/systemd||0x{MS_BIND | MS_REC:x}|InRoot, Mkdir|",
            $"|/sys/fs/cgroup/systemd||0x{MS_BIND | MS_REMOUNT | MS_REC | Safe | MS_RDONLY | MS_RELATIME:x}|InRoot|",
            $"/sys/fs/cgroup/unified/psc/web|/sys/fs/cgroup/unified||0x{MS_BIND | MS_REC:x}|InRoot, Mkdir|",
            $"|/sys/fs/cgroup/unified||0x{MS_BIND | MS_REMOUNT | MS_REC | Safe | MS_RDONLY | MS_RELATIME:x}|InRoot|",
            "symlink /sys/fs/cgroup/cpu -> cpu,cpuacct",
            "symlink /sys/fs/cgroup/cpuacct -> cpu,cpuacct",
        ], CgroupSteps(Build(HybridHost)));
    }

    [Fact]
    public void In_a_cgroup_namespace_each_v1_hierarchy_is_mounted_and_named_ones_show_their_name()
    {
        var steps = CgroupSteps(Build(HybridHost, "cgroup"));
        Assert.Equal($"cgroup|/sys/fs/cgroup/cpu,cpuacct|cgroup|0x{Safe | MS_RDONLY:x}|InRoot, Mkdir|cpu,cpuacct", steps[1]);
        Assert.Equal($"cgroup|/sys/fs/cgroup/memory|cgroup|0x{Safe | MS_RDONLY:x}|InRoot, Mkdir|memory", steps[2]);
        Assert.Equal($"systemd|/sys/fs/cgroup/systemd|cgroup|0x{Safe | MS_RDONLY:x}|InRoot, Mkdir|name=systemd", steps[3]);
        Assert.Equal($"cgroup2|/sys/fs/cgroup/unified|cgroup2|0x{Safe | MS_RDONLY | MS_RELATIME:x}|InRoot, Mkdir|", steps[4]);
        Assert.Equal(7, steps.Count); // tmpfs, three v1 mounts, the unified one, two symlinks
    }

    [Fact]
    public void A_unified_host_mounts_cgroup2_and_binds_it_in_a_user_namespace_without_a_cgroup_namespace()
    {
        Assert.Equal([$"cgroup2|/sys/fs/cgroup|cgroup2|0x{Safe | MS_RDONLY | MS_RELATIME:x}|InRoot, Mkdir|"], CgroupSteps(Build(UnifiedHost)));
        Assert.Equal([$"cgroup2|/sys/fs/cgroup|cgroup2|0x{Safe | MS_RDONLY | MS_RELATIME:x}|InRoot, Mkdir|"], CgroupSteps(Build(UnifiedHost, "user", "cgroup")));
        Assert.Equal(
        [
            $"/sys/fs/cgroup/psc/web|/sys/fs/cgroup||0x{MS_BIND | MS_REC:x}|InRoot, Mkdir|",
            $"|/sys/fs/cgroup||0x{MS_BIND | MS_REMOUNT | MS_REC | Safe | MS_RDONLY | MS_RELATIME:x}|InRoot|",
        ], CgroupSteps(Build(UnifiedHost, "user")));
    }

    [Fact]
    public void Without_a_cgroup_manager_the_mount_is_cgroup2()
    {
        Assert.Equal([$"cgroup2|/sys/fs/cgroup|cgroup2|0x{Safe | MS_RDONLY | MS_RELATIME:x}|InRoot, Mkdir|"], CgroupSteps(Build([])));
    }

    [Fact]
    public void A_user_namespace_without_its_own_network_namespace_binds_the_hosts_sys()
    {
        var spec = TestSpecs.Busybox();
        spec.Linux!.Namespaces!.RemoveAll(n => n.Type == "network");
        spec.Linux.Namespaces.Add(new LinuxNamespace { Type = "user" });
        spec.Mounts!.Add(new Mount { Destination = "/dev/mqueue", Type = "mqueue", Source = "mqueue", Options = ["nosuid", "noexec", "nodev"] });
        var plan = PlanBuilder.BuildInit(new PlanInputs { Spec = spec, Rootfs = Rootfs, ExecFifoFd = 7, CapabilityNumber = TestSpecs.Cap });
        var sys = plan.Steps.Where(s => s.Op == PlanOp.Mount && s.Text(1) == "/sys").ToList();
        Assert.Equal(("/sys", (long)(MS_BIND | MS_REC)), (sys[0].Text(0), sys[0].Numbers[0]));
        Assert.Equal((long)(MS_BIND | MS_REMOUNT | MS_REC | Safe | MS_RDONLY), sys[1].Numbers[0]);
        // The ipc namespace is the container's own: mqueue is mounted, not bound.
        Assert.Equal("mqueue", plan.Steps.Single(s => s.Op == PlanOp.Mount && s.Text(1) == "/dev/mqueue").Text(2));
    }
}
