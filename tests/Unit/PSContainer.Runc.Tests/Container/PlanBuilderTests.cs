using PSContainer.Oci;
using PSContainer.Runc.Container;
using PSContainer.Runc.Process;
using Xunit;
using static PSContainer.Runc.Container.MountOptions;

namespace PSContainer.Runc.Tests.Container;

public class PlanBuilderTests
{
    private const string Rootfs = "/bundles/b/rootfs";

    private static PlanInputs Inputs(Spec spec, int? fifo = 7) => new()
    {
        Spec = spec,
        Rootfs = Rootfs,
        FirstRuntimeFd = 3,
        ExecFifoFd = fifo,
        CapabilityNumber = TestSpecs.Cap,
        HostHasKcore = true,
        IsDirectory = path => !path.EndsWith(".conf", StringComparison.Ordinal),
    };

    private static Plan Build(Spec spec) => PlanBuilder.BuildInit(Inputs(spec));

    private static List<PlanStep> Of(Plan plan, PlanOp op) => plan.Steps.Where(s => s.Op == op).ToList();

    [Fact]
    public void Stage_zero_sets_rlimits_then_clones_with_the_new_namespaces()
    {
        var plan = Build(TestSpecs.Busybox());
        Assert.Equal(PlanOp.SetRlimit, plan.Steps[0].Op);
        Assert.Equal([7L, 1024L, 1024L, 0L], plan.Steps[0].Numbers);
        var clone = plan.Steps[1];
        Assert.Equal(PlanOp.Clone, clone.Op);
        Assert.Equal(Namespaces.CLONE_NEWPID | Namespaces.CLONE_NEWNET | Namespaces.CLONE_NEWIPC | Namespaces.CLONE_NEWUTS | Namespaces.CLONE_NEWNS,
            clone.Numbers[0]);
        Assert.Equal("", clone.Text(0)); // no user namespace: no maps
    }

    [Fact]
    public void The_mount_sequence_is_exact()
    {
        var mounts = Of(Build(TestSpecs.Busybox()), PlanOp.Mount)
            .Select(s => $"{s.Text(0)}|{s.Text(1)}|{s.Text(2)}|0x{s.Numbers[0]:x}|{(StepOptions)s.Numbers[1]}|{s.Text(3)}").ToList();
        Assert.Equal(
        [
            $"|/||0x{MS_SLAVE | MS_REC:x}|None|",
            $"{Rootfs}|{Rootfs}||0x{MS_BIND | MS_REC:x}|None|",
            "proc|/proc|proc|0x0|InRoot, Mkdir|",
            $"tmpfs|/dev|tmpfs|0x{MS_NOSUID | MS_STRICTATIME:x}|InRoot, Mkdir|mode=755,size=65536k",
            $"devpts|/dev/pts|devpts|0x{MS_NOSUID | MS_NOEXEC:x}|InRoot, Mkdir|newinstance,ptmxmode=0666,mode=0620,gid=5",
            $"sysfs|/sys|sysfs|0x{MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY:x}|InRoot, Mkdir|",
            $"|/proc/sys||0x{MS_BIND | MS_REC:x}|IgnoreEnoent, SourceIsTarget|",
            $"|/proc/sys||0x{MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC | MS_NOSUID | MS_NODEV | MS_NOEXEC:x}|IgnoreEnoent|",
        ], mounts);
    }

    [Fact]
    public void Devices_are_made_after_the_mounts_and_before_pivot_root()
    {
        var plan = Build(TestSpecs.Busybox());
        var ops = plan.Steps.Select(s => s.Op).ToList();
        var firstMknod = ops.IndexOf(PlanOp.Mknod);
        Assert.True(firstMknod > ops.LastIndexOf(PlanOp.Root));
        Assert.True(ops.LastIndexOf(PlanOp.Mknod) < ops.IndexOf(PlanOp.PivotRoot));
        var nodes = Of(plan, PlanOp.Mknod).Select(s => $"{s.Text(0)} 0{Convert.ToString(s.Numbers[0], 8)} {s.Numbers[1]}").ToList();
        Assert.Equal(["/dev/null 020666 259", "/dev/zero 020666 261", "/dev/full 020666 263", "/dev/random 020666 264",
            "/dev/urandom 020666 265", "/dev/tty 020666 1280"], nodes);
        var links = Of(plan, PlanOp.Symlink).Select(s => $"{s.Text(1)}->{s.Text(0)}").ToList();
        Assert.Equal(["/dev/fd->/proc/self/fd", "/dev/stdin->/proc/self/fd/0", "/dev/stdout->/proc/self/fd/1",
            "/dev/stderr->/proc/self/fd/2", "/dev/core->/proc/kcore", "/dev/ptmx->pts/ptmx"], links);
    }

    [Fact]
    public void Masked_and_readonly_paths_come_after_pivot_root_with_absolute_targets()
    {
        var plan = Build(TestSpecs.Busybox());
        var pivot = plan.Steps.ToList().FindIndex(s => s.Op == PlanOp.PivotRoot);
        var masks = plan.Steps.Select((s, i) => (s, i)).Where(x => x.s.Op == PlanOp.Mask).ToList();
        Assert.Equal(["/proc/kcore", "/sys/firmware"], masks.Select(m => m.s.Text(0)));
        Assert.All(masks, m => Assert.True(m.i > pivot));
        Assert.Equal(Rootfs, plan.Steps[pivot].Text(0));
    }

    [Fact]
    public void The_process_is_set_up_in_order_and_exec_waits_for_the_fifo()
    {
        var plan = Build(TestSpecs.Busybox());
        var tail = plan.Steps.SkipWhile(s => s.Op != PlanOp.SetSid).Select(s => s.Op).ToList();
        Assert.Equal(
        [
            // Hostname and sysctls before readonlyPaths (/proc/sys) and maskedPaths, as runc.
            PlanOp.SetSid, PlanOp.SetHostname, PlanOp.Mount, PlanOp.Mount, PlanOp.Mask, PlanOp.Mask, PlanOp.CloseFds,
            PlanOp.Bounding, PlanOp.SetGroups, PlanOp.SetResGid, PlanOp.KeepCaps, PlanOp.SetResUid, PlanOp.KeepCaps,
            PlanOp.Caps, PlanOp.Chdir, PlanOp.Umask, PlanOp.NoNewPrivs, PlanOp.Exec,
        ], tail);
        var caps = Of(plan, PlanOp.Caps)[0];
        var expected = (1L << 29) | (1L << 5) | (1L << 10);
        Assert.Equal([expected, expected, 0L, 0L], caps.Numbers);
        var exec = plan.Steps[^1];
        Assert.Equal(7, exec.Numbers[0]);
        Assert.Equal("sh", exec.Text(0));
        Assert.Equal("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", exec.Text(3));
        Assert.Equal("sh\0-c\0true\0", exec.Text(1));
        Assert.EndsWith("HOME=/\0", exec.Text(2), StringComparison.Ordinal);
        Assert.Equal(3, Of(plan, PlanOp.CloseFds)[0].Numbers[0]);
    }

    [Fact]
    public void Sysctls_are_written_before_proc_sys_becomes_read_only_and_oom_score_adj_before_any_join()
    {
        var spec = TestSpecs.Busybox();
        spec.Linux!.Sysctl = new Dictionary<string, string> { ["net.ipv4.ping_group_range"] = "0 0" };
        spec.Linux.Namespaces![1] = new LinuxNamespace { Type = "network", Path = "/run/netns/x" };
        spec.Process!.OomScoreAdj = -500;
        var steps = Build(spec).Steps.ToList();
        var sysctl = steps.FindIndex(s => s.Op == PlanOp.WriteFile && s.Text(0) == "/proc/sys/net/ipv4/ping_group_range");
        var readonlyProcSys = steps.FindIndex(s => s.Op == PlanOp.Mount && s.Text(1) == "/proc/sys");
        Assert.True(sysctl >= 0 && sysctl < readonlyProcSys, $"sysctl at {sysctl}, /proc/sys read-only at {readonlyProcSys}");
        var oom = steps.FindIndex(s => s.Op == PlanOp.WriteFile && s.Text(0) == "/proc/self/oom_score_adj");
        Assert.True(oom >= 0 && oom < steps.FindIndex(s => s.Op == PlanOp.SetNs));

        var exec = PlanBuilder.BuildExec(new ExecPlanInputs
        {
            Spec = spec, Process = spec.Process, InitPid = 42, NamespacesToJoin = ["pid", "mount"], CapabilityNumber = TestSpecs.Cap,
        }).Steps;
        Assert.Equal(PlanOp.WriteFile, exec[0].Op); // /proc/self would not resolve after joining pid + mount
        Assert.Equal(PlanOp.SetNs, exec[1].Op);
    }

    [Fact]
    public void A_user_namespace_writes_maps_becomes_root_and_binds_devices()
    {
        var spec = TestSpecs.Busybox();
        spec.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "user" });
        spec.Linux.UidMappings = [new LinuxIdMapping { ContainerID = 0, HostID = 100000, Size = 65536 }];
        spec.Linux.GidMappings = [new LinuxIdMapping { ContainerID = 0, HostID = 200000, Size = 65536 }];
        var plan = Build(spec);
        var clone = Of(plan, PlanOp.Clone)[0];
        Assert.Equal("0 100000 65536\n", clone.Text(0));
        Assert.Equal("0 200000 65536\n", clone.Text(1));
        // The clone makes the user and pid namespaces; the init unshares the rest as the namespace's root.
        Assert.Equal(Namespaces.CLONE_NEWUSER | Namespaces.CLONE_NEWPID, clone.Numbers[0]);
        var afterClone = plan.Steps.SkipWhile(s => s.Op != PlanOp.Clone).Skip(1).Take(3).ToList();
        // The gid after the unshare, as runc: the new ipc namespace's mqueue root is root:nogroup then.
        Assert.Equal([PlanOp.SetResUid, PlanOp.Unshare, PlanOp.SetResGid], afterClone.Select(s => s.Op));
        Assert.Equal(Namespaces.CLONE_NEWNET | Namespaces.CLONE_NEWIPC | Namespaces.CLONE_NEWUTS | Namespaces.CLONE_NEWNS, afterClone[1].Numbers[0]);
        Assert.Empty(Of(plan, PlanOp.Mknod));
        var null_ = Of(plan, PlanOp.Mount).Single(s => s.Text(1) == "/dev/null");
        Assert.Equal("/dev/null", null_.Text(0));
        Assert.Equal((long)MS_BIND, null_.Numbers[0]);
        Assert.Equal((long)(StepOptions.InRoot | StepOptions.Touch), null_.Numbers[1]);
    }

    [Fact]
    public void In_a_joined_user_namespace_the_init_also_unshares_the_other_namespaces_as_its_root()
    {
        var spec = TestSpecs.Busybox();
        spec.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "user", Path = "/proc/42/ns/user" });
        var plan = Build(spec);
        Assert.Equal(Namespaces.CLONE_NEWPID, Of(plan, PlanOp.Clone)[0].Numbers[0]);
        var afterClone = plan.Steps.SkipWhile(s => s.Op != PlanOp.Clone).Skip(1).Take(3).ToList();
        Assert.Equal([PlanOp.SetResUid, PlanOp.Unshare, PlanOp.SetResGid], afterClone.Select(s => s.Op));
        Assert.Equal(Namespaces.CLONE_NEWNET | Namespaces.CLONE_NEWIPC | Namespaces.CLONE_NEWUTS | Namespaces.CLONE_NEWNS, afterClone[1].Numbers[0]);
    }

    [Fact]
    public void A_read_only_bind_mount_takes_a_remount_and_propagation_a_third_call()
    {
        var spec = TestSpecs.Busybox();
        spec.Mounts!.Add(new Mount { Destination = "/etc/app.conf", Type = "bind", Source = "/host/app.conf", Options = ["rbind", "ro", "nosuid", "rprivate"] });
        var steps = Of(Build(spec), PlanOp.Mount).Where(s => s.Text(1) == "/etc/app.conf").ToList();
        Assert.Equal(3, steps.Count);
        Assert.Equal((long)(MS_BIND | MS_REC), steps[0].Numbers[0]);
        Assert.Equal((long)(StepOptions.InRoot | StepOptions.Touch), steps[0].Numbers[1]); // a file source: the target is a file
        Assert.Equal((long)(MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_REC), steps[1].Numbers[0]);
        Assert.Equal((long)(MS_PRIVATE | MS_REC), steps[2].Numbers[0]);
    }

    [Fact]
    public void Mount_destinations_are_cleaned_so_dot_dot_stays_inside_the_root()
    {
        Assert.Equal("/etc", PlanBuilder.CleanContainerPath("/../../etc/"));
        Assert.Equal("/a/c", PlanBuilder.CleanContainerPath("/a/./b/../c"));
        var spec = TestSpecs.Busybox();
        spec.Mounts!.Add(new Mount { Destination = "/../../../tmp", Type = "tmpfs", Source = "tmpfs" });
        Assert.Contains(Of(Build(spec), PlanOp.Mount), s => s.Text(1) == "/tmp" && ((StepOptions)s.Numbers[1]).HasFlag(StepOptions.InRoot));
    }

    [Fact]
    public void A_readonly_root_is_remounted_last_among_the_mounts()
    {
        var spec = TestSpecs.Busybox();
        spec.Root!.Readonly = true;
        var plan = Build(spec);
        var last = Of(plan, PlanOp.Mount)[^1];
        Assert.Equal("/", last.Text(1));
        Assert.Equal((long)(MS_BIND | MS_REMOUNT | MS_RDONLY), last.Numbers[0]);
        Assert.True(plan.Steps.ToList().IndexOf(last) > plan.Steps.ToList().FindIndex(s => s.Op == PlanOp.Mask));
    }

    [Fact]
    public void Sysctls_are_checked_against_the_namespaces()
    {
        var spec = TestSpecs.Busybox();
        spec.Linux!.Sysctl = new() { ["net.ipv4.ip_forward"] = "1" };
        var write = Of(Build(spec), PlanOp.WriteFile).Single();
        Assert.Equal("/proc/sys/net/ipv4/ip_forward", write.Text(0));
        Assert.Equal("1", write.Text(1));

        spec.Linux.Sysctl = new() { ["kernel.panic"] = "1" };
        Assert.Equal("config.json: linux.sysctl.kernel.panic: not namespaced; setting it would change the host",
            Assert.Throws<RuncException>(() => Build(spec)).Message);

        spec.Linux.Sysctl = new() { ["net.core.somaxconn"] = "1" };
        spec.Linux.Namespaces!.RemoveAll(n => n.Type == "network");
        Assert.Equal("config.json: linux.sysctl.net.core.somaxconn: needs a network namespace, which the config does not request",
            Assert.Throws<RuncException>(() => Build(spec)).Message);
    }

    [Fact]
    public void An_unknown_capability_names_the_set_and_index()
    {
        var spec = TestSpecs.Busybox();
        spec.Process!.Capabilities!.Permitted!.Add("CAP_FLY");
        Assert.Equal("config.json: process.capabilities.permitted[3]: unknown capability \"CAP_FLY\"",
            Assert.Throws<RuncException>(() => Build(spec)).Message);
    }

    [Fact]
    public void Cgroup_and_time_namespaces_are_created_around_the_clone()
    {
        var spec = TestSpecs.Busybox();
        spec.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "cgroup" });
        spec.Linux.Namespaces.Add(new LinuxNamespace { Type = "time" });
        spec.Linux.TimeOffsets = new() { ["monotonic"] = new LinuxTimeOffset { Secs = 100 } };
        var ops = Build(spec).Steps.ToList();
        var clone = ops.FindIndex(s => s.Op == PlanOp.Clone);
        Assert.Equal(0, ops[clone].Numbers[0] & (Namespaces.CLONE_NEWCGROUP | Namespaces.CLONE_NEWTIME));
        var time = ops.FindIndex(s => s.Op == PlanOp.Unshare && s.Numbers[0] == Namespaces.CLONE_NEWTIME);
        var offsets = ops.FindIndex(s => s.Op == PlanOp.WriteFile && s.Text(0) == "/proc/self/timens_offsets");
        var cgroup = ops.FindIndex(s => s.Op == PlanOp.Unshare && s.Numbers[0] == Namespaces.CLONE_NEWCGROUP);
        Assert.True(time >= 0 && time < offsets && offsets < clone && clone < cgroup);
        Assert.Equal("monotonic 100 0\n", ops[offsets].Text(1));
    }

    [Fact]
    public void Joined_namespaces_are_entered_user_first_and_mount_last()
    {
        var spec = TestSpecs.Busybox();
        spec.Linux!.Namespaces = [new() { Type = "mount", Path = "/proc/1/ns/mnt" }, new() { Type = "network", Path = "/run/netns/x" }, new() { Type = "pid" }];
        var plan = Build(spec);
        Assert.Equal(["/run/netns/x", "/proc/1/ns/mnt"], Of(plan, PlanOp.SetNs).Select(s => s.Text(0)));
        Assert.Equal(Namespaces.CLONE_NEWPID, Of(plan, PlanOp.Clone)[0].Numbers[0]);
        Assert.Empty(Of(plan, PlanOp.PivotRoot)); // the joined mount namespace is already the container's
    }

    [Fact]
    public void A_terminal_needs_a_console_socket_and_gets_a_pty_after_pivot_root()
    {
        var spec = TestSpecs.Busybox();
        spec.Process!.Terminal = true;
        spec.Process.ConsoleSize = new Box { Height = 40, Width = 120 };
        Assert.Equal("process.terminal is true: --console-socket is required",
            Assert.Throws<RuncException>(() => Build(spec)).Message);
        var plan = PlanBuilder.BuildInit(Inputs(spec) with { ConsoleSocketFd = 8 });
        var pty = Of(plan, PlanOp.Pty).Single();
        Assert.Equal([8L, 40L, 120L, 0L], pty.Numbers);
        Assert.Equal("/dev/console", pty.Text(1));
        Assert.True(plan.Steps.ToList().IndexOf(pty) > plan.Steps.ToList().FindIndex(s => s.Op == PlanOp.PivotRoot));
    }

    [Fact]
    public void Hooks_before_pivot_get_a_barrier_and_start_hooks_run_after_the_fifo()
    {
        var spec = TestSpecs.Busybox();
        spec.Hooks = new Hooks
        {
            CreateRuntime = [new Hook { Path = "/bin/true" }],
            StartContainer = [new Hook { Path = "/bin/hook", Args = ["hook", "start"], Timeout = 5 }],
        };
        var ops = Build(spec).Steps.ToList();
        var barrier = ops.FindIndex(s => s.Op == PlanOp.Barrier);
        Assert.True(barrier >= 0 && barrier < ops.FindIndex(s => s.Op == PlanOp.PivotRoot));
        Assert.Equal([PlanOp.Exec, PlanOp.WaitFifo, PlanOp.RunHook, PlanOp.Exec], ops.TakeLast(4).Select(s => s.Op));
        Assert.Equal(-2, ops[^4].Numbers[0]); // check only: a missing binary still fails create
        Assert.Equal(-1, ops[^1].Numbers[0]);
        Assert.Equal("hook\0start\0", ops[^2].Text(1));
        Assert.Equal(5, ops[^2].Numbers[0]);
    }

    [Fact]
    public void Exec_joins_the_init_namespaces_and_forks_into_its_pid_namespace()
    {
        var spec = TestSpecs.Busybox();
        var plan = PlanBuilder.BuildExec(new ExecPlanInputs
        {
            Spec = spec,
            Process = new OciProcess { Args = ["ls"], Cwd = "/tmp", User = new User { Uid = 1000, Gid = 1000, AdditionalGids = [10, 20] } },
            InitPid = 4242,
            NamespacesToJoin = ["pid", "network", "ipc", "uts", "mount"],
            CapabilityNumber = TestSpecs.Cap,
        });
        Assert.Equal(["/proc/4242/ns/ipc", "/proc/4242/ns/uts", "/proc/4242/ns/net", "/proc/4242/ns/pid", "/proc/4242/ns/mnt"],
            Of(plan, PlanOp.SetNs).Select(s => s.Text(0)));
        Assert.Equal(0, Of(plan, PlanOp.Clone)[0].Numbers[0]);
        Assert.Equal(-1, plan.Steps[^1].Numbers[0]);
        Assert.Equal(new byte[] { 10, 0, 0, 0, 20, 0, 0, 0 }, Of(plan, PlanOp.SetGroups)[0].Strings[0]);
        Assert.Equal(1000, Of(plan, PlanOp.SetResUid)[0].Numbers[0]);
        Assert.Equal("/tmp", Of(plan, PlanOp.Chdir)[0].Text(0));
    }

    [Fact]
    public void A_seccomp_program_is_installed_after_no_new_privs_just_before_exec()
    {
        var plan = PlanBuilder.BuildInit(Inputs(TestSpecs.Busybox()) with { SeccompProgram = new byte[16], SeccompFlags = 2 });
        Assert.Equal([PlanOp.NoNewPrivs, PlanOp.Seccomp, PlanOp.Exec], plan.Steps.TakeLast(3).Select(s => s.Op));
        Assert.Equal(2, plan.Steps[^2].Numbers[0]);
    }

    [Fact]
    public void Without_no_new_privs_the_seccomp_program_goes_in_before_privileges_are_dropped()
    {
        // seccomp(2) without no_new_privs needs CAP_SYS_ADMIN: installing it after capset fails with EACCES.
        var spec = TestSpecs.Busybox();
        spec.Process!.NoNewPrivileges = false;
        var ops = PlanBuilder.BuildInit(Inputs(spec) with { SeccompProgram = new byte[16], SeccompFlags = 0 })
            .Steps.Select(s => s.Op).ToList();
        Assert.Single(ops, PlanOp.Seccomp);
        Assert.DoesNotContain(PlanOp.NoNewPrivs, ops);
        Assert.True(ops.IndexOf(PlanOp.Seccomp) < ops.IndexOf(PlanOp.SetGroups));
        Assert.True(ops.IndexOf(PlanOp.Seccomp) < ops.IndexOf(PlanOp.Caps));
    }

    [Fact]
    public void Ambient_capabilities_outside_permitted_and_inheritable_are_left_out_like_runc()
    {
        var spec = TestSpecs.Busybox();
        spec.Process!.Capabilities!.Ambient = ["CAP_KILL", "CAP_NET_BIND_SERVICE"];
        spec.Process.Capabilities.Inheritable = ["CAP_KILL"];
        var caps = Of(PlanBuilder.BuildInit(Inputs(spec)), PlanOp.Caps)[0];
        Assert.Equal(1L << 5, caps.Numbers[3]); // CAP_KILL only: CAP_NET_BIND_SERVICE is not inheritable
    }

    [Fact]
    public void Mount_options_split_into_flags_propagation_runtime_options_and_data()
    {
        Assert.Equal(IdmapKind.TopOnly, Parse(["ro", "idmap"], "x").Idmap);
        Assert.Equal(IdmapKind.Recursive, Parse(["idmap", "ridmap"], "x").Idmap);
        Assert.Equal(IdmapKind.None, Parse(["ro"], "x").Idmap);
        Assert.Equal("mounts[2].options: \"idmap=uids=1000-0-1;gids=1000-0-1\": crun's inline id mapping is not supported; give the mount uidMappings and gidMappings",
            Assert.Throws<RuncException>(() => Parse(["rbind", "idmap=uids=1000-0-1;gids=1000-0-1"], "mounts[2].options")).Message);
        Assert.True(Parse(["tmpcopyup", "mode=755"], "x").CopyUp);
        // Runtime options never reach mount(2)'s data.
        Assert.Equal("mode=755", Parse(["tmpcopyup", "idmap", "mode=755"], "x").Data);
        var o = Parse(["nosuid", "rw", "ro", "dev", "nodev", "rshared", "size=1m", "mode=700"], "x");
        Assert.Equal(MS_NOSUID | MS_RDONLY | MS_NODEV, o.Flags);
        Assert.Equal(MS_SHARED | MS_REC, o.Propagation);
        Assert.Equal("size=1m,mode=700", o.Data);
    }
}
