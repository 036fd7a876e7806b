using System.Globalization;
using System.Text;
using PSContainer.Oci;
using PSContainer.Runc.Process;
using static PSContainer.Runc.Container.MountOptions;

namespace PSContainer.Runc.Container;

/// <summary>
/// Turns a validated config into the plan psc-nsexec executes (DESIGN.md §1: all decisions here,
/// none in C). Pure: the same inputs give the same operation list, which the unit tests assert.
/// </summary>
public static class PlanBuilder
{
    /// <summary>Default devices every container gets (the runtime spec's "Default Devices").</summary>
    public static readonly IReadOnlyList<LinuxDevice> DefaultDevices =
    [
        Char("/dev/null", 1, 3), Char("/dev/zero", 1, 5), Char("/dev/full", 1, 7),
        Char("/dev/random", 1, 8), Char("/dev/urandom", 1, 9), Char("/dev/tty", 5, 0),
    ];

    private const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>The plan of a new container's init: namespaces, rootfs, process setup, wait for start, execve.</summary>
    public static Plan BuildInit(PlanInputs inputs)
    {
        var spec = inputs.Spec;
        var process = spec.Process ?? throw new RuncException("config.json: process must be set");
        var linux = spec.Linux ?? new Linux();
        var namespaces = linux.Namespaces ?? [];
        var plan = new Plan();
        AddTrace(plan, inputs, "nsexec.main");

        bool Has(string type) => namespaces.Any(n => n.Type == type);
        bool IsNew(string type) => namespaces.Any(n => n.Type == type && string.IsNullOrEmpty(n.Path));
        var newUser = IsNew("user");

        // oom_score_adj first, while /proc/self is still the host's (a joined pid and mount namespace
        // would leave /proc/self dangling until the clone) and lowering it is still allowed.
        AddOomScoreAdj(plan, process);
        AddAffinity(plan, process.ExecCpuAffinity?.Initial, "initial");

        // Idmapped mounts are prepared while stage 0 still has the runtime's privileges and
        // namespaces: before a user namespace is joined or cloned (IdmappedMountPlan).
        var idmapTrees = IsNew("mount") ? IdmappedMountPlan.AddDetachedTrees(plan, spec) : new Dictionary<int, int>();

        // Stage 0, in the runtime's namespaces: join what the config names by path.
        foreach (var type in Namespaces.JoinOrder)
        {
            var ns = namespaces.FirstOrDefault(n => n.Type == type && !string.IsNullOrEmpty(n.Path));
            if (ns is not null)
            {
                plan.Add(PlanOp.SetNs, $"join {type} namespace {ns.Path}", [Namespaces.Flag(type)], PlanStep.Utf8(ns.Path));
            }
        }
        if (IsNew("time"))
        {
            // Offsets can only be written before any process lives in the namespace, so stage 0
            // unshares it for its children and writes them before the clone (time_namespaces(7)).
            plan.Add(PlanOp.Unshare, "unshare time namespace", [Namespaces.CLONE_NEWTIME]);
            if (linux.TimeOffsets is { Count: > 0 } offsets)
            {
                var text = string.Concat(offsets.Select(o => string.Create(CultureInfo.InvariantCulture,
                    $"{o.Key} {o.Value.Secs ?? 0} {o.Value.Nanosecs ?? 0}\n")));
                plan.Add(PlanOp.WriteFile, "write /proc/self/timens_offsets", null, PlanStep.Utf8("/proc/self/timens_offsets"), PlanStep.Utf8(text));
            }
        }
        AddRlimits(plan, process);

        // The cgroup namespace is unshared after the runtime moved the child into its cgroup, so that
        // cgroup becomes the namespace's root; the time namespace is already in place for children.
        // With a new or joined user namespace only it and the pid namespace (which needs a new
        // process) come from the clone; the init unshares the others once it is the user
        // namespace's root, so they are created by that root, as with runc (the ipc namespace's
        // mqueue root, for one, belongs to whoever created the namespace).
        long cloneFlags = 0, laterFlags = 0;
        foreach (var ns in namespaces.Where(n => string.IsNullOrEmpty(n.Path) && n.Type is not "cgroup" and not "time"))
        {
            if (Has("user") && ns.Type is not "user" and not "pid")
            {
                laterFlags |= Namespaces.Flag(ns.Type);
            }
            else
            {
                cloneFlags |= Namespaces.Flag(ns.Type);
            }
        }
        plan.Add(PlanOp.Clone, $"clone the container init (flags 0x{cloneFlags:x})", [cloneFlags],
            PlanStep.Utf8(newUser ? MapText(linux.UidMappings) : ""),
            PlanStep.Utf8(newUser ? MapText(linux.GidMappings) : ""));

        if (Has("user"))
        {
            // In a new or joined user namespace the creator's ids may be unmapped: become its root,
            // which the maps (written by stage 0 before the "go") or the joined namespace define.
            plan.Add(PlanOp.SetResUid, "setresuid 0 in the user namespace", [0]);
        }
        if (laterFlags != 0)
        {
            plan.Add(PlanOp.Unshare, $"unshare the other namespaces as the user namespace's root (flags 0x{laterFlags:x})", [laterFlags]);
        }
        if (Has("user"))
        {
            // The gid only after the unshare, as runc: a new ipc namespace's mqueue root takes the
            // creator's fsuid and fsgid (mq_overview(7)), and runc's shows root:nogroup, the host's
            // gid 0 being unmapped at that moment.
            plan.Add(PlanOp.SetResGid, "setresgid 0 in the user namespace", [0]);
        }
        if (IsNew("cgroup"))
        {
            plan.Add(PlanOp.Unshare, "unshare cgroup namespace", [Namespaces.CLONE_NEWCGROUP]);
        }

        if (IsNew("mount"))
        {
            AddRootfs(plan, inputs, linux, Has("user"), IsNew, Has("cgroup"), idmapTrees);
        }
        else if (Has("mount"))
        {
            // Joining a mount namespace by path: its root is the container's root already.
        }
        else
        {
            throw new RuncException("config.json: linux.namespaces must include \"mount\" (psc-runc cannot build a rootfs in the host's mount namespace)");
        }

        plan.Add(PlanOp.SetSid, "setsid");
        if (process.Terminal == true)
        {
            var socket = inputs.ConsoleSocketFd ?? throw new RuncException("process.terminal is true: --console-socket is required");
            plan.Add(PlanOp.Pty, "open a pty and send its master to the console socket",
                [socket, process.ConsoleSize?.Height ?? 0, process.ConsoleSize?.Width ?? 0],
                PlanStep.Utf8("/dev/ptmx"), PlanStep.Utf8("/dev/console"));
        }
        if (IsNew("uts") || Has("uts"))
        {
            if (!string.IsNullOrEmpty(spec.Hostname))
            {
                plan.Add(PlanOp.SetHostname, $"sethostname {spec.Hostname}", null, PlanStep.Utf8(spec.Hostname));
            }
            if (!string.IsNullOrEmpty(spec.Domainname))
            {
                plan.Add(PlanOp.SetDomainname, $"setdomainname {spec.Domainname}", null, PlanStep.Utf8(spec.Domainname));
            }
        }
        AddSysctls(plan, linux, Has);
        if (IsNew("mount"))
        {
            // After the sysctls, as runc does: readonlyPaths usually include /proc/sys.
            AddMaskedAndReadonly(plan, linux, spec.Root?.Readonly == true);
        }
        if (linux.Personality is { } personality)
        {
            // PER_LINUX = 0, PER_LINUX32 = 8; personality flags are not part of what runc applies either.
            plan.Add(PlanOp.Personality, $"personality {personality.Domain}", [personality.Domain == "LINUX32" ? 8 : 0]);
        }
        AddProcess(plan, process, inputs.FirstRuntimeFd, inputs.Home, inputs.SeccompProgram, inputs.SeccompFlags,
            inputs.CapabilityNumber, inputs.ExecFifoFd, spec.Hooks?.StartContainer, inputs, inputs.Lsm);
        return plan;
    }

    private static void AddTrace(Plan plan, PlanInputs inputs, string step)
    {
        if (inputs.TraceFd is { } fd)
        {
            plan.Add(PlanOp.Trace, $"trace {step}", [fd], PlanStep.Utf8(step), PlanStep.Utf8(inputs.Id));
        }
    }

    /// <summary>The plan of `exec`: join the container's namespaces, fork into its pid namespace, set up the process, execve.</summary>
    public static Plan BuildExec(ExecPlanInputs inputs)
    {
        var plan = new Plan();
        // Before the joins: after setns into the pid and mount namespaces /proc/self does not resolve
        // until the clone (this process is not in the pid namespace the joined /proc shows).
        AddOomScoreAdj(plan, inputs.Process);
        AddAffinity(plan, inputs.Process.ExecCpuAffinity?.Initial, "initial");
        foreach (var type in Namespaces.JoinOrder.Where(inputs.NamespacesToJoin.Contains))
        {
            var path = $"/proc/{inputs.InitPid}/ns/{Namespaces.ProcName(type)}";
            plan.Add(PlanOp.SetNs, $"join {type} namespace {path}", [Namespaces.Flag(type)], PlanStep.Utf8(path));
        }
        AddRlimits(plan, inputs.Process);
        // setns(CLONE_NEWPID) only moves children: the clone puts the process really inside.
        plan.Add(PlanOp.Clone, "fork into the container's pid namespace", [0], PlanStep.Utf8(""), PlanStep.Utf8(""));
        if (inputs.NamespacesToJoin.Contains("user"))
        {
            plan.Add(PlanOp.SetResGid, "setresgid 0 in the user namespace", [0]);
            plan.Add(PlanOp.SetResUid, "setresuid 0 in the user namespace", [0]);
        }
        if (inputs.Process.Terminal == true)
        {
            var socket = inputs.ConsoleSocketFd ?? throw new RuncException("exec with a terminal needs --console-socket");
            plan.Add(PlanOp.SetSid, "setsid");
            plan.Add(PlanOp.Pty, "open a pty and send its master to the console socket",
                [socket, inputs.Process.ConsoleSize?.Height ?? 0, inputs.Process.ConsoleSize?.Width ?? 0],
                PlanStep.Utf8("/dev/ptmx"), PlanStep.Utf8(""));
        }
        AddProcess(plan, inputs.Process, inputs.FirstRuntimeFd, inputs.Home, inputs.SeccompProgram, inputs.SeccompFlags,
            inputs.CapabilityNumber, execFifoFd: null, startHooks: null, trace: null, inputs.Lsm);
        return plan;
    }

    private static void AddRootfs(Plan plan, PlanInputs inputs, Linux linux, bool inUserNs, Func<string, bool> isNew, bool cgroupNs,
        IReadOnlyDictionary<int, int> idmapTrees)
    {
        // A new or joined user namespace: the mount namespace belongs to it, so mknod and some
        // file systems are off limits and host objects are bound instead.
        var spec = inputs.Spec;
        var rootfs = inputs.Rootfs;
        plan.Add(PlanOp.Mount, $"make / {linux.RootfsPropagation ?? "rslave"}",
            [(long)RootPropagation(linux.RootfsPropagation)], [], PlanStep.Utf8("/"), [], []);
        // pivot_root needs the new root to be a mount point: bind the rootfs onto itself.
        plan.Add(PlanOp.Mount, $"bind {rootfs} onto itself", [(long)(MS_BIND | MS_REC)],
            PlanStep.Utf8(rootfs), PlanStep.Utf8(rootfs), [], []);
        plan.Add(PlanOp.Root, $"open the rootfs {rootfs}", null, PlanStep.Utf8(rootfs));

        var mounts = spec.Mounts ?? [];
        var devBound = false;
        var hasDevPts = false;
        for (var i = 0; i < mounts.Count; i++)
        {
            var m = mounts[i];
            var field = $"mounts[{i}]";
            var options = Parse(m.Options, field + ".options");
            var type = m.Type ?? "";
            var bind = options.IsBind || type == "bind";
            var dest = CleanContainerPath(m.Destination);
            if (dest == "/dev" && bind)
            {
                devBound = true;
            }
            if (dest == "/dev/pts" && type == "devpts")
            {
                hasDevPts = true;
            }
            if (type == "cgroup" || type == "cgroup2")
            {
                AddCgroupMount(plan, inputs, dest, options, inUserNs, cgroupNs);
                continue;
            }
            if (inUserNs && HostBindInUserNamespace(type, isNew) is { } hostPath)
            {
                // sysfs belongs to the network namespace's owner and mqueue to the ipc namespace's
                // (sysfs(5), mq_overview(7)): a user namespace without its own cannot mount them,
                // so the host's are bound instead, as runc falls back to.
                plan.Add(PlanOp.Mount, $"bind {hostPath} on {rootfs}{dest} ({type} of the host's namespace)",
                    [(long)(MS_BIND | MS_REC), (long)(StepOptions.InRoot | StepOptions.Mkdir)],
                    PlanStep.Utf8(hostPath), PlanStep.Utf8(dest), [], []);
                if ((options.Flags & BindRemountable) != 0)
                {
                    plan.Add(PlanOp.Mount, $"remount {rootfs}{dest} ({string.Join(',', m.Options ?? [])})",
                        [(long)(MS_BIND | MS_REMOUNT | MS_REC | (options.Flags & BindRemountable)), (long)StepOptions.InRoot],
                        [], PlanStep.Utf8(dest), [], []);
                }
                continue;
            }
            if (bind)
            {
                var source = m.Source ?? throw new RuncException($"config.json: {field}.source must be set for a bind mount");
                var create = inputs.IsDirectory(source) ? StepOptions.Mkdir : StepOptions.Touch;
                var bindFlags = MS_BIND | (options.Flags & MS_REC);
                if (idmapTrees.TryGetValue(i, out var treeSlot))
                {
                    // The bind was made (and idmapped) in stage 0: attach it here.
                    plan.Add(PlanOp.MoveTree, $"attach the idmapped {source} on {rootfs}{dest}", [treeSlot, (long)(StepOptions.InRoot | create)],
                        PlanStep.Utf8(dest));
                }
                else
                {
                    plan.Add(PlanOp.Mount, $"bind {source} on {rootfs}{dest}", [(long)bindFlags, (long)(StepOptions.InRoot | create)],
                        PlanStep.Utf8(source), PlanStep.Utf8(dest), [], []);
                }
                var extra = options.Flags & BindRemountable;
                if (extra != 0)
                {
                    // MS_BIND ignores ro/nosuid/...: they take a second, remounting call (mount(2)).
                    plan.Add(PlanOp.Mount, $"remount {rootfs}{dest} ({string.Join(',', m.Options ?? [])})",
                        [(long)(MS_BIND | MS_REMOUNT | extra | (options.Flags & MS_REC)), (long)StepOptions.InRoot],
                        [], PlanStep.Utf8(dest), [], []);
                }
            }
            else if (options.CopyUp)
            {
                AddTmpfsCopyUp(plan, rootfs, m, type, dest, options, field);
            }
            else
            {
                var fsFlags = options.Flags & ~MS_REC;
                var data = options.Data;
                plan.Add(PlanOp.Mount, $"mount {type} on {rootfs}{dest}",
                    [(long)fsFlags, (long)(StepOptions.InRoot | StepOptions.Mkdir)],
                    PlanStep.Utf8(m.Source ?? type), PlanStep.Utf8(dest), PlanStep.Utf8(type), PlanStep.Utf8(data));
            }
            if (options.Propagation != 0)
            {
                plan.Add(PlanOp.Mount, $"set propagation of {rootfs}{dest}", [(long)options.Propagation, (long)StepOptions.InRoot],
                    [], PlanStep.Utf8(dest), [], []);
            }
        }

        if (!devBound)
        {
            AddDevices(plan, rootfs, linux, inUserNs);
            AddDevSymlinks(plan, inputs.HostHasKcore, hasDevPts);
        }

        var hooks = spec.Hooks;
        if (hooks is not null && (hooks.Prestart is { Count: > 0 } || hooks.CreateRuntime is { Count: > 0 } || hooks.CreateContainer is { Count: > 0 }))
        {
            plan.Add(PlanOp.Barrier, "wait for the prestart, createRuntime and createContainer hooks", [HookBarrier]);
        }
        if (inputs.NoPivot)
        {
            plan.Add(PlanOp.MoveRoot, $"move {rootfs} onto / (--no-pivot)", null, PlanStep.Utf8(rootfs));
        }
        else
        {
            plan.Add(PlanOp.PivotRoot, $"pivot_root into {rootfs}", null, PlanStep.Utf8(rootfs));
        }
    }

    /// <summary>
    /// A tmpfs with "tmpcopyup" (runc's extension): psc-nsexec opens the directory before mounting
    /// over it and copies its content (owners and modes) into the new tmpfs. The tmpfs is
    /// mounted writable for the copy; "ro" takes a bind remount afterwards, as with runc.
    /// </summary>
    private static void AddTmpfsCopyUp(Plan plan, string rootfs, Mount m, string type, string dest, MountOptions options, string field)
    {
        if (type != "tmpfs")
        {
            throw new RuncException($"config.json: {field}.options: \"tmpcopyup\" applies to tmpfs mounts only (type \"{type}\")");
        }
        var fsFlags = options.Flags & ~MS_REC;
        plan.Add(PlanOp.Mount, $"mount {type} on {rootfs}{dest} and copy up its content",
            [(long)(fsFlags & ~MS_RDONLY), (long)(StepOptions.InRoot | StepOptions.Mkdir | StepOptions.CopyUp)],
            PlanStep.Utf8(m.Source ?? type), PlanStep.Utf8(dest), PlanStep.Utf8(type), PlanStep.Utf8(options.Data));
        if ((fsFlags & MS_RDONLY) != 0)
        {
            // A bind remount, as runc: the mount turns read-only, the tmpfs itself stays writable.
            plan.Add(PlanOp.Mount, $"remount {rootfs}{dest} read-only", [(long)(MS_BIND | MS_REMOUNT | fsFlags), (long)StepOptions.InRoot],
                [], PlanStep.Utf8(dest), [], []);
        }
    }

    /// <summary>The id the Barrier step reports for the hooks that run before pivot_root.</summary>
    public const long HookBarrier = 1;

    private static string? HostBindInUserNamespace(string type, Func<string, bool> isNew) => type switch
    {
        "sysfs" when !isNew("network") => "/sys",
        "mqueue" when !isNew("ipc") => "/dev/mqueue",
        _ => null,
    };

    /// <summary>
    /// A `cgroup` mount. On a v1/hybrid host (runc's layout): a tmpfs with one directory per v1
    /// hierarchy, each a bind of the container's own cgroup (or, in a cgroup namespace, a cgroup
    /// mount of that hierarchy, whose root the namespace makes the container's cgroup), plus a
    /// symlink per controller of a co-mounted hierarchy (cpu → cpu,cpuacct), and on a hybrid host the
    /// cgroup2 tree as "unified". The spec's options (ro) apply to the hierarchies; the tmpfs stays
    /// writable, as with runc. On a unified host: cgroup2.
    /// </summary>
    private static void AddCgroupMount(Plan plan, PlanInputs inputs, string dest, MountOptions options, bool newUser, bool cgroupNs)
    {
        var rootfs = inputs.Rootfs;
        var hierarchies = inputs.CgroupMounts.Where(h => !h.IsUnified).ToList();
        var fsFlags = (options.Flags & ~MS_REC) | MS_NOSUID | MS_NODEV | MS_NOEXEC;
        if (hierarchies.Count == 0)
        {
            var unified = inputs.CgroupMounts.FirstOrDefault(h => h.IsUnified);
            if (unified is not null && newUser && !cgroupNs)
            {
                // A user namespace may mount cgroup2 only from a cgroup namespace it owns
                // (cgroup_namespaces(7)): bind the container's own cgroup instead, as runc does.
                AddBind(plan, rootfs, unified.Directory, dest, MS_BIND | MS_REC | fsFlags);
            }
            else
            {
                plan.Add(PlanOp.Mount, $"mount cgroup2 on {rootfs}{dest}", [(long)fsFlags, (long)(StepOptions.InRoot | StepOptions.Mkdir)],
                    PlanStep.Utf8("cgroup2"), PlanStep.Utf8(dest), PlanStep.Utf8("cgroup2"), []);
            }
            AddPropagation(plan, rootfs, dest, options);
            return;
        }

        plan.Add(PlanOp.Mount, $"mount tmpfs on {rootfs}{dest} (cgroup v1 layout)",
            [(long)(MS_NOSUID | MS_NODEV | MS_NOEXEC), (long)(StepOptions.InRoot | StepOptions.Mkdir)],
            PlanStep.Utf8("tmpfs"), PlanStep.Utf8(dest), PlanStep.Utf8("tmpfs"), PlanStep.Utf8("mode=755"));
        AddPropagation(plan, rootfs, dest, options);
        foreach (var h in hierarchies)
        {
            var target = dest.TrimEnd('/') + "/" + h.Name;
            if (cgroupNs)
            {
                var data = string.Join(',', h.Controllers);
                // A named hierarchy's mount shows its name as the source ("systemd"), as runc's does.
                var source = h.Controllers is [var only] && only.StartsWith("name=", StringComparison.Ordinal) ? only[5..] : "cgroup";
                var flags = MS_NOSUID | MS_NODEV | MS_NOEXEC | (options.Flags & MS_RDONLY);
                plan.Add(PlanOp.Mount, $"mount cgroup ({data}) on {rootfs}{target}", [(long)flags, (long)(StepOptions.InRoot | StepOptions.Mkdir)],
                    PlanStep.Utf8(source), PlanStep.Utf8(target), PlanStep.Utf8("cgroup"), PlanStep.Utf8(data));
            }
            else
            {
                AddBind(plan, rootfs, h.Directory, target, MS_BIND | MS_REC | (options.Flags & ~MS_REC));
            }
            AddPropagation(plan, rootfs, target, options);
        }
        if (inputs.CgroupMounts.FirstOrDefault(h => h.IsUnified) is { } hybrid)
        {
            // A hybrid host's cgroup2 tree (no controllers; systemd tracks processes there), shown as
            // crun and systemd-nspawn do. runc 1.1 leaves it out: the one difference in this layout.
            var target = dest.TrimEnd('/') + "/" + hybrid.Name;
            if (cgroupNs)
            {
                plan.Add(PlanOp.Mount, $"mount cgroup2 on {rootfs}{target}", [(long)fsFlags, (long)(StepOptions.InRoot | StepOptions.Mkdir)],
                    PlanStep.Utf8("cgroup2"), PlanStep.Utf8(target), PlanStep.Utf8("cgroup2"), []);
            }
            else
            {
                AddBind(plan, rootfs, hybrid.Directory, target, MS_BIND | MS_REC | (options.Flags & ~MS_REC));
            }
            AddPropagation(plan, rootfs, target, options);
        }
        foreach (var h in hierarchies.Where(h => h.Name.Contains(',', StringComparison.Ordinal)))
        {
            foreach (var part in h.Name.Split(',').Where(p => p.Length > 0 && p != h.Name))
            {
                plan.Add(PlanOp.Symlink, $"symlink {dest}/{part} -> {h.Name}", [0, (long)StepOptions.IgnoreExist],
                    PlanStep.Utf8(h.Name), PlanStep.Utf8(dest.TrimEnd('/') + "/" + part));
            }
        }
    }

    /// <summary>A bind of a host directory in the rootfs; the flags MS_BIND ignores take a second, remounting call (mount(2)).</summary>
    private static void AddBind(Plan plan, string rootfs, string source, string dest, ulong flags)
    {
        plan.Add(PlanOp.Mount, $"bind {source} on {rootfs}{dest}", [(long)(MS_BIND | (flags & MS_REC)), (long)(StepOptions.InRoot | StepOptions.Mkdir)],
            PlanStep.Utf8(source), PlanStep.Utf8(dest), [], []);
        var extra = flags & BindRemountable;
        if (extra != 0)
        {
            plan.Add(PlanOp.Mount, $"remount {rootfs}{dest}", [(long)(MS_BIND | MS_REMOUNT | extra | (flags & MS_REC)), (long)StepOptions.InRoot],
                [], PlanStep.Utf8(dest), [], []);
        }
    }

    private static void AddPropagation(Plan plan, string rootfs, string dest, MountOptions options)
    {
        if (options.Propagation != 0)
        {
            plan.Add(PlanOp.Mount, $"set propagation of {rootfs}{dest}", [(long)options.Propagation, (long)StepOptions.InRoot],
                [], PlanStep.Utf8(dest), [], []);
        }
    }

    private static void AddDevices(Plan plan, string rootfs, Linux linux, bool newUser)
    {
        var devices = new List<LinuxDevice>(DefaultDevices.Where(d => linux.Devices?.Any(x => x.Path == d.Path) != true));
        devices.AddRange(linux.Devices ?? []);
        foreach (var d in devices)
        {
            if (newUser)
            {
                // mknod is not allowed in a user namespace: bind the host's node instead (as runc does).
                plan.Add(PlanOp.Mount, $"bind {d.Path} on {rootfs}{d.Path}", [(long)MS_BIND, (long)(StepOptions.InRoot | StepOptions.Touch)],
                    PlanStep.Utf8(d.Path), PlanStep.Utf8(d.Path), [], []);
                continue;
            }
            var type = d.Type switch { "b" => 0x6000L, "p" => 0x1000L, _ => 0x2000L };
            var mode = type | (d.FileMode ?? 0x1B6 /* 0666 */) & 0xFFF;
            var dev = d.Type == "p" ? 0 : (long)MakeDev((uint)d.Major, (uint)d.Minor);
            plan.Add(PlanOp.Mknod, $"mknod {rootfs}{d.Path} {d.Type} {d.Major}:{d.Minor}", [mode, dev, d.Uid ?? 0, d.Gid ?? 0],
                PlanStep.Utf8(d.Path));
        }
    }

    private static void AddDevSymlinks(Plan plan, bool hostHasKcore, bool hasDevPts)
    {
        var links = new List<(string Target, string Link)>
        {
            ("/proc/self/fd", "/dev/fd"), ("/proc/self/fd/0", "/dev/stdin"),
            ("/proc/self/fd/1", "/dev/stdout"), ("/proc/self/fd/2", "/dev/stderr"),
        };
        if (hostHasKcore)
        {
            links.Add(("/proc/kcore", "/dev/core"));
        }
        if (hasDevPts)
        {
            links.Add(("pts/ptmx", "/dev/ptmx"));
        }
        foreach (var (target, link) in links)
        {
            plan.Add(PlanOp.Symlink, $"symlink {link} -> {target}", [0, (long)StepOptions.IgnoreExist],
                PlanStep.Utf8(target), PlanStep.Utf8(link));
        }
    }

    private static void AddMaskedAndReadonly(Plan plan, Linux linux, bool readonlyRoot)
    {
        foreach (var path in linux.ReadonlyPaths ?? [])
        {
            plan.Add(PlanOp.Mount, $"bind {path} read-only", [(long)(MS_BIND | MS_REC), (long)(StepOptions.SourceIsTarget | StepOptions.IgnoreEnoent)],
                [], PlanStep.Utf8(path), [], []);
            plan.Add(PlanOp.Mount, $"remount {path} read-only",
                [(long)(MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC | MS_NOSUID | MS_NODEV | MS_NOEXEC), (long)StepOptions.IgnoreEnoent],
                [], PlanStep.Utf8(path), [], []);
        }
        foreach (var path in linux.MaskedPaths ?? [])
        {
            plan.Add(PlanOp.Mask, $"mask {path}", null, PlanStep.Utf8(path));
        }
        if (readonlyRoot)
        {
            plan.Add(PlanOp.Mount, "remount / read-only", [(long)(MS_BIND | MS_REMOUNT | MS_RDONLY)], [], PlanStep.Utf8("/"), [], []);
        }
    }

    private static void AddSysctls(Plan plan, Linux linux, Func<string, bool> has)
    {
        foreach (var (key, value) in linux.Sysctl ?? [])
        {
            var needs = SysctlNamespace(key) ?? throw new RuncException(
                $"config.json: linux.sysctl.{key}: not namespaced; setting it would change the host");
            if (!has(needs))
            {
                throw new RuncException($"config.json: linux.sysctl.{key}: needs a {needs} namespace, which the config does not request");
            }
            var path = "/proc/sys/" + key.Replace('.', '/');
            plan.Add(PlanOp.WriteFile, $"sysctl {key}={value}", null, PlanStep.Utf8(path), PlanStep.Utf8(value));
        }
    }

    /// <summary>The namespace a sysctl belongs to, or null when it is global (runc's list).</summary>
    public static string? SysctlNamespace(string key)
    {
        if (key.StartsWith("net.", StringComparison.Ordinal))
        {
            return "network";
        }
        if (key.StartsWith("fs.mqueue.", StringComparison.Ordinal) ||
            key is "kernel.msgmax" or "kernel.msgmnb" or "kernel.msgmni" or "kernel.sem" or "kernel.shmall"
                or "kernel.shmmax" or "kernel.shmmni" or "kernel.shm_rmid_forced")
        {
            return "ipc";
        }
        return key is "kernel.hostname" or "kernel.domainname" ? "uts" : null;
    }

    private static void AddAffinity(Plan plan, string? cpus, string which)
    {
        if (!string.IsNullOrEmpty(cpus))
        {
            plan.Add(PlanOp.Affinity, $"sched_setaffinity {cpus} ({which})", null, CpuList.ToMask(cpus, $"process.execCPUAffinity.{which}"));
        }
    }

    private static void AddOomScoreAdj(Plan plan, OciProcess process)
    {
        if (process.OomScoreAdj is { } oom)
        {
            plan.Add(PlanOp.WriteFile, $"set oom_score_adj {oom}", null, PlanStep.Utf8("/proc/self/oom_score_adj"),
                PlanStep.Utf8(oom.ToString(CultureInfo.InvariantCulture)));
        }
    }

    private static void AddRlimits(Plan plan, OciProcess process)
    {
        foreach (var r in process.Rlimits ?? [])
        {
            var resource = RlimitNumber(r.Type) ?? throw new RuncException($"config.json: process.rlimits: unknown type \"{r.Type}\"");
            plan.Add(PlanOp.SetRlimit, $"setrlimit {r.Type} soft={r.Soft} hard={r.Hard}", [resource, unchecked((long)r.Soft), unchecked((long)r.Hard)]);
        }
    }

    public static int? RlimitNumber(string type) => type switch
    {
        "RLIMIT_CPU" => 0, "RLIMIT_FSIZE" => 1, "RLIMIT_DATA" => 2, "RLIMIT_STACK" => 3, "RLIMIT_CORE" => 4,
        "RLIMIT_RSS" => 5, "RLIMIT_NPROC" => 6, "RLIMIT_NOFILE" => 7, "RLIMIT_MEMLOCK" => 8, "RLIMIT_AS" => 9,
        "RLIMIT_LOCKS" => 10, "RLIMIT_SIGPENDING" => 11, "RLIMIT_MSGQUEUE" => 12, "RLIMIT_NICE" => 13,
        "RLIMIT_RTPRIO" => 14, "RLIMIT_RTTIME" => 15, _ => null,
    };

    private static void AddSeccomp(Plan plan, byte[] program, long flags) =>
        plan.Add(PlanOp.Seccomp, $"install the seccomp filter ({program.Length / 8} instructions)", [flags], program);

    /// <summary>
    /// An AppArmor profile or SELinux label for the workload's execve. Without the LSM on the host
    /// it is an error, as with runc (a silently unconfined container would be worse).
    /// </summary>
    private static void AddLsmLabels(Plan plan, OciProcess process, HostSecurityModules lsm)
    {
        if (!string.IsNullOrEmpty(process.ApparmorProfile))
        {
            if (!lsm.AppArmor)
            {
                throw new RuncException($"config.json: process.apparmorProfile: \"{process.ApparmorProfile}\" is set but AppArmor is not enabled on this host");
            }
            plan.Add(PlanOp.WriteFile, $"apparmor profile {process.ApparmorProfile} on exec", null,
                PlanStep.Utf8("/proc/self/attr/apparmor/exec"), PlanStep.Utf8("exec " + process.ApparmorProfile));
        }
        if (!string.IsNullOrEmpty(process.SelinuxLabel))
        {
            if (!lsm.Selinux)
            {
                throw new RuncException($"config.json: process.selinuxLabel: \"{process.SelinuxLabel}\" is set but SELinux is not enabled on this host");
            }
            plan.Add(PlanOp.WriteFile, $"selinux label {process.SelinuxLabel} on exec", null,
                PlanStep.Utf8("/proc/self/attr/exec"), PlanStep.Utf8(process.SelinuxLabel));
        }
    }

    private static void AddProcess(Plan plan, OciProcess process, int firstRuntimeFd, string home, byte[]? seccomp,
        long seccompFlags, Func<string, int?> capNumber, int? execFifoFd, List<Hook>? startHooks, PlanInputs? trace,
        HostSecurityModules lsm)
    {
        if (process.IoPriority is { } io)
        {
            var cls = io.Class switch
            {
                "IOPRIO_CLASS_RT" => 1, "IOPRIO_CLASS_BE" => 2, "IOPRIO_CLASS_IDLE" => 3,
                _ => throw new RuncException($"config.json: process.ioPriority.class: unknown class \"{io.Class}\""),
            };
            plan.Add(PlanOp.IoPrio, $"ioprio {io.Class} {io.Priority}", [(cls << 13) | io.Priority]);
        }
        if (process.Scheduler is { } scheduler)
        {
            plan.Add(PlanOp.Sched, $"sched_setattr {scheduler.Policy}", null, SchedulerAttr.Encode(scheduler));
        }
        AddLsmLabels(plan, process, lsm);
        plan.Add(PlanOp.CloseFds, $"mark fds >= {firstRuntimeFd} close-on-exec", [firstRuntimeFd]);

        var caps = process.Capabilities ?? new LinuxCapabilities();
        var bounding = CapMask(caps.Bounding, "bounding", capNumber);
        plan.Add(PlanOp.Bounding, $"keep bounding capabilities 0x{bounding:x}", [bounding]);

        // Without no_new_privs, seccomp(2) needs CAP_SYS_ADMIN (EACCES otherwise), so the filter
        // goes in before the uid change and capset drop it; the remaining setup syscalls (setgroups,
        // setres[ug]id, capset, prctl, chdir, execve) then run under the filter, as with runc.
        var noNewPrivs = process.NoNewPrivileges == true;
        if (seccomp is { Length: > 0 } && !noNewPrivs)
        {
            AddSeccomp(plan, seccomp, seccompFlags);
        }

        var user = process.User;
        // Plain loops over the gids: LINQ and string.Join over uint are generic instantiations that
        // ReadyToRun cannot precompile, and each costs a JIT compilation on every container start.
        var gids = user.AdditionalGids ?? [];
        var groups = new byte[gids.Count * 4];
        var names = new System.Text.StringBuilder();
        for (var i = 0; i < gids.Count; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(groups.AsSpan(i * 4), gids[i]);
            names.Append(i == 0 ? "" : ",").Append(gids[i]);
        }
        plan.Add(PlanOp.SetGroups, $"setgroups [{names}]", null, groups);
        plan.Add(PlanOp.SetResGid, $"setresgid {user.Gid}", [user.Gid]);
        // Keep the permitted set across the uid change; capset below sets exactly what the spec asks.
        plan.Add(PlanOp.KeepCaps, "keep capabilities across setuid", [1]);
        plan.Add(PlanOp.SetResUid, $"setresuid {user.Uid}", [user.Uid]);
        plan.Add(PlanOp.KeepCaps, "stop keeping capabilities across setuid", [0]);
        var effective = CapMask(caps.Effective, "effective", capNumber);
        var permitted = CapMask(caps.Permitted, "permitted", capNumber);
        var inheritable = CapMask(caps.Inheritable, "inheritable", capNumber);
        // The kernel raises an ambient capability only if it is both permitted and inheritable
        // (capabilities(7)); runc skips the others instead of failing, and so do we.
        var ambient = CapMask(caps.Ambient, "ambient", capNumber) & permitted & inheritable;
        plan.Add(PlanOp.Caps, $"capset effective=0x{effective:x} permitted=0x{permitted:x} inheritable=0x{inheritable:x} ambient=0x{ambient:x}",
            [effective, permitted, inheritable, ambient]);
        plan.Add(PlanOp.Chdir, $"chdir {process.Cwd}", null, PlanStep.Utf8(process.Cwd));
        plan.Add(PlanOp.Umask, $"umask {Convert.ToString(process.User.Umask ?? 0x12, 8)}", [process.User.Umask ?? 0x12]);
        if (noNewPrivs)
        {
            plan.Add(PlanOp.NoNewPrivs, "set no_new_privs");
        }
        if (seccomp is { Length: > 0 } && noNewPrivs)
        {
            // With no_new_privs the kernel lets an unprivileged task install a filter, so it goes
            // in as late as possible and the filter does not have to allow the setup syscalls.
            AddSeccomp(plan, seccomp, seccompFlags);
        }

        var env = new List<string>(process.Env ?? []);
        if (!env.Any(e => e.StartsWith("HOME=", StringComparison.Ordinal)))
        {
            env.Add("HOME=" + home);
        }
        var pathVar = env.LastOrDefault(e => e.StartsWith("PATH=", StringComparison.Ordinal))?[5..] ?? DefaultPath;
        var args = process.Args ?? [];
        var fifo = (long)(execFifoFd ?? -1);
        if (trace is not null)
        {
            AddTrace(plan, trace, "nsexec.plan.done");
        }
        if ((startHooks is { Count: > 0 } || trace?.TraceFd is not null) && execFifoFd is { } fd)
        {
            // startContainer hooks run after `start` and before the user process, in the container.
            plan.Add(PlanOp.Exec, $"check {args[0]} exists", [-2], PlanStep.Utf8(args[0]), [], [], PlanStep.Utf8(pathVar));
            plan.Add(PlanOp.WaitFifo, "wait for start", [fd]);
            var (before, after) = trace?.StartHookState ?? ("", "");
            foreach (var hook in startHooks ?? [])
            {
                plan.Add(PlanOp.RunHook, $"startContainer hook {hook.Path}", [hook.Timeout ?? 0, PlanStep.Utf8(before).Length],
                    PlanStep.Utf8(hook.Path), PlanStep.Vector(hook.Args is { Count: > 0 } a ? a : [hook.Path]),
                    PlanStep.Vector(hook.Env ?? []), PlanStep.Utf8(before + after));
            }
            if (trace is not null)
            {
                AddTrace(plan, trace, "nsexec.execve");
            }
            fifo = -1;
        }
        // The final affinity goes last: joining the cgroup (a cpuset) resets the initial one.
        AddAffinity(plan, process.ExecCpuAffinity?.Final, "final");
        plan.Add(PlanOp.Exec, $"exec {args[0]}", [fifo], PlanStep.Utf8(args[0]), PlanStep.Vector(args), PlanStep.Vector(env), PlanStep.Utf8(pathVar));
    }

    private static long CapMask(List<string>? names, string set, Func<string, int?> capNumber)
    {
        long mask = 0;
        for (var i = 0; names is not null && i < names.Count; i++)
        {
            var n = capNumber(names[i]) ?? throw new RuncException(
                $"config.json: process.capabilities.{set}[{i}]: unknown capability \"{names[i]}\"");
            mask |= 1L << n;
        }
        return mask;
    }

    /// <summary>"containerID hostID size" lines for /proc/PID/uid_map.</summary>
    public static string MapText(IEnumerable<LinuxIdMapping>? maps)
    {
        var sb = new StringBuilder();
        foreach (var m in maps ?? [])
        {
            sb.Append(CultureInfo.InvariantCulture, $"{m.ContainerID} {m.HostID} {m.Size}\n");
        }
        return sb.ToString();
    }

    /// <summary>Lexically cleans a container path: absolute, no "." or "..", no doubled slashes.</summary>
    public static string CleanContainerPath(string path)
    {
        var parts = new List<string>();
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
            }
            else if (part != ".")
            {
                parts.Add(part);
            }
        }
        return "/" + string.Join('/', parts);
    }

    /// <summary>glibc's makedev for the 64-bit dev_t.</summary>
    public static ulong MakeDev(uint major, uint minor) =>
        ((ulong)(major & 0xfffff000) << 32) | ((ulong)(major & 0xfff) << 8) |
        ((ulong)(minor & 0xffffff00) << 12) | (minor & 0xff);

    private static LinuxDevice Char(string path, long major, long minor) =>
        new() { Path = path, Type = "c", Major = major, Minor = minor, FileMode = 0x1B6, Uid = 0, Gid = 0 };
}
