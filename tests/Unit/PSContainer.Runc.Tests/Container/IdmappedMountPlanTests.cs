using PSContainer.Oci;
using PSContainer.Runc.Container;
using PSContainer.Runc.Process;
using Xunit;
using static PSContainer.Runc.Container.MountOptions;

namespace PSContainer.Runc.Tests.Container;

/// <summary>The plan for idmapped bind mounts (uidMappings/gidMappings, "idmap", "ridmap") and tmpfs "tmpcopyup".</summary>
public class IdmappedMountPlanTests
{
    private const string Rootfs = "/bundles/b/rootfs";

    private static Plan Build(Spec spec) => PlanBuilder.BuildInit(new PlanInputs
    {
        Spec = spec,
        Rootfs = Rootfs,
        FirstRuntimeFd = 3,
        ExecFifoFd = 7,
        CapabilityNumber = TestSpecs.Cap,
        HostHasKcore = true,
        IsDirectory = path => !path.EndsWith(".conf", StringComparison.Ordinal),
    });

    private static List<LinuxIdMapping> Map(uint container, uint host, uint size) => [new() { ContainerID = container, HostID = host, Size = size }];

    private static Spec WithMount(Mount mount, bool userNs = false)
    {
        var spec = TestSpecs.Busybox();
        if (userNs)
        {
            spec.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "user" });
            spec.Linux.UidMappings = Map(0, 100000, 65536);
            spec.Linux.GidMappings = Map(0, 200000, 65536);
        }
        spec.Mounts!.Add(mount);
        return spec;
    }

    private static string Error(Spec spec) => Assert.Throws<RuncException>(() => Build(spec)).Message;

    [Fact]
    public void Own_mappings_make_a_user_namespace_and_a_detached_tree_in_stage_zero_that_the_init_attaches()
    {
        var spec = WithMount(new Mount
        {
            Destination = "/data", Type = "bind", Source = "/srv/data", Options = ["rbind", "ro"],
            UidMappings = Map(1000, 0, 1), GidMappings = Map(1000, 0, 1),
        });
        var plan = Build(spec);
        var steps = plan.Steps.ToList();

        var userNs = steps.Single(s => s.Op == PlanOp.UserNs);
        Assert.Equal(0, userNs.Numbers[0]);
        Assert.Equal("1000 0 1\n", userNs.Text(0));
        Assert.Equal("1000 0 1\n", userNs.Text(1));
        Assert.Equal("", userNs.Text(2));

        var tree = steps.Single(s => s.Op == PlanOp.IdmapTree);
        Assert.Equal("/srv/data", tree.Text(0));
        // rbind copies the submounts; "idmap" (implied by the mappings) maps only the top mount.
        Assert.Equal([1L, 0L, (long)(IdmapTreeFlags.CloneRecursive | IdmapTreeFlags.LastUseOfUserNs), 0L], tree.Numbers);

        // Both before the clone (stage 0, still privileged over the host's file systems) ...
        Assert.True(steps.IndexOf(tree) < steps.FindIndex(s => s.Op == PlanOp.Clone));
        // ... and the init attaches the tree instead of binding, then remounts it read-only as any bind.
        var move = steps.Single(s => s.Op == PlanOp.MoveTree);
        Assert.Equal("/data", move.Text(0));
        Assert.Equal([1L, (long)(StepOptions.InRoot | StepOptions.Mkdir), 0L, 0L], move.Numbers);
        Assert.DoesNotContain(steps, s => s.Op == PlanOp.Mount && s.Text(0) == "/srv/data");
        var remount = steps[steps.IndexOf(move) + 1];
        Assert.Equal(PlanOp.Mount, remount.Op);
        Assert.Equal((long)(MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC), remount.Numbers[0]);
        Assert.True(steps.IndexOf(move) < steps.FindIndex(s => s.Op == PlanOp.PivotRoot));
    }

    [Fact]
    public void Idmap_without_mappings_takes_the_containers_new_user_namespace_maps_and_ridmap_is_recursive()
    {
        var spec = WithMount(new Mount { Destination = "/data", Type = "bind", Source = "/srv/data", Options = ["bind", "ridmap"] }, userNs: true);
        var plan = Build(spec);
        var userNs = plan.Steps.Single(s => s.Op == PlanOp.UserNs);
        Assert.Equal("0 100000 65536\n", userNs.Text(0));
        Assert.Equal("0 200000 65536\n", userNs.Text(1));
        var tree = plan.Steps.Single(s => s.Op == PlanOp.IdmapTree);
        Assert.Equal((long)(IdmapTreeFlags.IdmapRecursive | IdmapTreeFlags.LastUseOfUserNs), tree.Numbers[2]);
        // Made before the clone, which creates the container's user namespace.
        Assert.True(plan.Steps.ToList().IndexOf(tree) < plan.Steps.ToList().FindIndex(s => s.Op == PlanOp.Clone));
    }

    [Fact]
    public void A_joined_user_namespace_is_opened_by_path_before_stage_zero_joins_it()
    {
        var spec = TestSpecs.Busybox();
        spec.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "user", Path = "/proc/42/ns/user" });
        spec.Mounts!.Add(new Mount { Destination = "/data", Type = "bind", Source = "/srv/data", Options = ["bind", "idmap"] });
        var steps = Build(spec).Steps.ToList();
        var userNs = steps.Single(s => s.Op == PlanOp.UserNs);
        Assert.Equal("/proc/42/ns/user", userNs.Text(2));
        Assert.True(steps.IndexOf(userNs) < steps.FindIndex(s => s.Op == PlanOp.SetNs));
    }

    [Fact]
    public void Mounts_with_the_same_mapping_share_one_user_namespace_closed_after_its_last_use()
    {
        var spec = WithMount(new Mount { Destination = "/a", Type = "bind", Source = "/srv/a", Options = ["bind", "idmap"] }, userNs: true);
        spec.Mounts!.Add(new Mount { Destination = "/b", Type = "bind", Source = "/srv/b", Options = ["bind"], UidMappings = Map(0, 5, 1), GidMappings = Map(0, 5, 1) });
        spec.Mounts.Add(new Mount { Destination = "/c", Type = "bind", Source = "/srv/c", Options = ["bind", "idmap"] });
        var plan = Build(spec);
        Assert.Equal(2, plan.Steps.Count(s => s.Op == PlanOp.UserNs));
        var trees = plan.Steps.Where(s => s.Op == PlanOp.IdmapTree).ToList();
        Assert.Equal(["/srv/a", "/srv/b", "/srv/c"], trees.Select(t => t.Text(0)));
        Assert.Equal(trees[0].Numbers[1], trees[2].Numbers[1]);
        Assert.NotEqual(trees[0].Numbers[1], trees[1].Numbers[1]);
        Assert.Equal(0, trees[0].Numbers[2] & (long)IdmapTreeFlags.LastUseOfUserNs);
        Assert.All(trees.Skip(1), t => Assert.NotEqual(0, t.Numbers[2] & (long)IdmapTreeFlags.LastUseOfUserNs));
        // Every slot is distinct: user namespaces and trees never share one.
        var slots = plan.Steps.Where(s => s.Op is PlanOp.UserNs or PlanOp.IdmapTree).Select(s => s.Numbers[0]).ToList();
        Assert.Equal(slots.Count, slots.Distinct().Count());
    }

    [Fact]
    public void Bad_idmapped_mounts_are_refused_naming_the_mount()
    {
        Assert.Equal("config.json: mounts[4]: \"idmap\" without uidMappings/gidMappings needs a user namespace, and linux.namespaces has none",
            Error(WithMount(new Mount { Destination = "/d", Type = "bind", Source = "/s", Options = ["bind", "idmap"] })));
        Assert.Equal("config.json: mounts[4]: idmapped mounts are only supported for bind mounts (type \"tmpfs\")",
            Error(WithMount(new Mount { Destination = "/d", Type = "tmpfs", Source = "tmpfs", Options = ["idmap"] }, userNs: true)));
        Assert.Equal("config.json: mounts[4]: an idmapped mount needs both uidMappings and gidMappings",
            Error(WithMount(new Mount { Destination = "/d", Type = "bind", Source = "/s", Options = ["bind"], UidMappings = Map(0, 1, 1) })));
        Assert.Equal("config.json: mounts[4].gidMappings[0].size must be positive",
            Error(WithMount(new Mount { Destination = "/d", Type = "bind", Source = "/s", Options = ["bind"], UidMappings = Map(0, 1, 1), GidMappings = Map(0, 1, 0) })));
    }

    [Fact]
    public void A_file_system_without_idmap_support_fails_with_an_explanation_naming_the_mount()
    {
        var spec = WithMount(new Mount { Destination = "/d", Type = "bind", Source = "/proc/sys", Options = ["rbind", "ridmap"] }, userNs: true);
        var plan = Build(spec);
        var index = plan.Steps.ToList().FindIndex(s => s.Op == PlanOp.IdmapTree);
        var error = StageZero.FailureOf(plan, new SyncMessage(SyncKind.Error, index, Interop.Linux.Errno.EINVAL));
        Assert.Equal($"unable to start container process: step {index} idmap /proc/sys for mounts[4] (/d): EINVAL (Invalid argument): " +
            "mounts[4]: the file system of /proc/sys does not support idmapped mounts (ridmap: nor may any mount below it)", error.Message);
        // Other errors carry no explanation that would mislead.
        var eperm = StageZero.FailureOf(plan, new SyncMessage(SyncKind.Error, index, Interop.Linux.Errno.EPERM));
        Assert.DoesNotContain("does not support", eperm.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tmpcopyup_mounts_the_tmpfs_writable_copies_up_and_then_remounts_read_only()
    {
        var spec = WithMount(new Mount { Destination = "/etc", Type = "tmpfs", Source = "tmpfs", Options = ["tmpcopyup", "nosuid", "ro", "mode=755"] });
        var steps = Build(spec).Steps.Where(s => s.Op == PlanOp.Mount && s.Text(1) == "/etc").ToList();
        Assert.Equal(2, steps.Count);
        Assert.Equal("tmpfs", steps[0].Text(2));
        Assert.Equal("mode=755", steps[0].Text(3));
        Assert.Equal((long)MS_NOSUID, steps[0].Numbers[0]);
        Assert.Equal((long)(StepOptions.InRoot | StepOptions.Mkdir | StepOptions.CopyUp), steps[0].Numbers[1]);
        Assert.Equal((long)(MS_BIND | MS_REMOUNT | MS_NOSUID | MS_RDONLY), steps[1].Numbers[0]);

        var writable = WithMount(new Mount { Destination = "/etc", Type = "tmpfs", Source = "tmpfs", Options = ["tmpcopyup"] });
        Assert.Single(Build(writable).Steps, s => s.Op == PlanOp.Mount && s.Text(1) == "/etc");
    }

    [Fact]
    public void Tmpcopyup_is_refused_on_anything_but_tmpfs()
    {
        Assert.Equal("config.json: mounts[4].options: \"tmpcopyup\" applies to tmpfs mounts only (type \"proc\")",
            Error(WithMount(new Mount { Destination = "/p", Type = "proc", Source = "proc", Options = ["tmpcopyup"] })));
    }
}
