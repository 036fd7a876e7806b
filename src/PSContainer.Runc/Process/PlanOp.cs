namespace PSContainer.Runc.Process;

/// <summary>
/// The operations psc-nsexec knows. Values are the wire codes: keep them in step with
/// <c>enum op</c> in Native/nsexec.c and the table in Native/README.md.
/// </summary>
public enum PlanOp : uint
{
    /// <summary>setns(open(str0), num0).</summary>
    SetNs = 1,
    /// <summary>unshare(num0).</summary>
    Unshare = 2,
    /// <summary>clone3(num0 | CLONE_PARENT); the parent writes str2→setgroups, str0→uid_map, str1→gid_map, sends "PID n", exits; the child waits for "G".</summary>
    Clone = 3,
    /// <summary>mount(str0, str1, str2, num0, str3) with options num1 (<see cref="StepOptions"/>).</summary>
    Mount = 4,
    /// <summary>pivot_root into str0 and detach the old root.</summary>
    PivotRoot = 5,
    /// <summary>MS_MOVE str0 onto / and chroot (the --no-pivot fallback).</summary>
    MoveRoot = 6,
    /// <summary>The directory (str0) that InRoot paths are resolved under.</summary>
    Root = 7,
    /// <summary>mknod(str0 in root, mode num0, dev num1), chown to num2:num3, chmod to num0's permission bits.</summary>
    Mknod = 8,
    /// <summary>symlink(str0, str1 in root); num1 may hold IgnoreExist.</summary>
    Symlink = 9,
    /// <summary>mkdir -p str0 in root, then chmod num0 (unless -1).</summary>
    Mkdir = 10,
    SetHostname = 11,
    SetDomainname = 12,
    /// <summary>setrlimit(num0, soft num1, hard num2).</summary>
    SetRlimit = 13,
    /// <summary>Write str1 to the existing file str0 (num1 may hold IgnoreEnoent).</summary>
    WriteFile = 14,
    /// <summary>setgroups with str0 as an array of 32-bit gids.</summary>
    SetGroups = 15,
    SetResGid = 16,
    SetResUid = 17,
    /// <summary>prctl(PR_SET_KEEPCAPS, num0).</summary>
    KeepCaps = 18,
    /// <summary>Drop every bounding capability not in the mask num0.</summary>
    Bounding = 19,
    /// <summary>capset(effective num0, permitted num1, inheritable num2), then the ambient set num3.</summary>
    Caps = 20,
    NoNewPrivs = 21,
    /// <summary>seccomp(SET_MODE_FILTER, flags num0, program str0 = struct sock_filter[]).</summary>
    Seccomp = 22,
    /// <summary>close_range(num0, ~0, CLOSE_RANGE_CLOEXEC): nothing at or above num0 survives execve.</summary>
    CloseFds = 23,
    Chdir = 24,
    Umask = 25,
    SetSid = 26,
    /// <summary>Open a pty at str0 (ptmx), bind its slave on str1 (unless empty), send the master on socket num0, size num1×num2, make the slave stdio.</summary>
    Pty = 27,
    Personality = 28,
    /// <summary>Send "HOOK num0" and wait for "G": the runtime runs hooks meanwhile.</summary>
    Barrier = 29,
    /// <summary>Find str0 in PATH str3 (num0 = -2: only that), (if num0 ≥ 0: send READY, open the exec FIFO /proc/self/fd/num0 and write a byte), reset signals, execve(argv str1, env str2).</summary>
    Exec = 30,
    /// <summary>ioprio_set(IOPRIO_WHO_PROCESS, 0, num0).</summary>
    IoPrio = 31,
    /// <summary>Hide str0: /dev/null over a file, a read-only empty tmpfs over a directory; missing is fine.</summary>
    Mask = 32,
    /// <summary>Run hook str0 (argv str1, env str2) with str3 on stdin (our pid inserted at byte num1 unless -1); kill it after num0 seconds.</summary>
    RunHook = 33,
    /// <summary>Send READY, open the exec FIFO /proc/self/fd/num0 for writing (blocks until `start`), write a byte.</summary>
    WaitFifo = 34,
    /// <summary>Append a PSC_TRACE_FILE line for step str0 (container id str1) to fd num0.</summary>
    Trace = 35,
    /// <summary>sched_setattr(0, str0, 0): str0 is a struct sched_attr (48 bytes, size field set).</summary>
    Sched = 36,
    /// <summary>sched_setaffinity(0, len, str0): str0 is a cpu_set_t bit mask (process.execCPUAffinity).</summary>
    Affinity = 37,
    /// <summary>Slot num0 := a user namespace: the one at path str2, or a new one with uid map str0 and gid map str1 (for idmapped mounts).</summary>
    UserNs = 38,
    /// <summary>Slot num0 := a detached copy of the mount at str0 (open_tree), idmapped with the user namespace in slot num1; num2 = <see cref="IdmapTreeFlags"/>.</summary>
    IdmapTree = 39,
    /// <summary>move_mount the detached mount in slot num0 onto str0 (options num1, resolved in the root).</summary>
    MoveTree = 40,
}

/// <summary>Option bits in num1 of Mount, Symlink, WriteFile and Mask (OPT_* in nsexec.c).</summary>
[Flags]
public enum StepOptions : long
{
    None = 0,
    /// <summary>Resolve the target inside the Root directory (openat2 RESOLVE_IN_ROOT).</summary>
    InRoot = 0x01,
    IgnoreEnoent = 0x02,
    /// <summary>Bind the target onto itself (read-only paths).</summary>
    SourceIsTarget = 0x04,
    /// <summary>Create the target and its parents as directories.</summary>
    Mkdir = 0x08,
    /// <summary>Create the target as an empty file (parents as directories).</summary>
    Touch = 0x10,
    IgnoreExist = 0x20,
    /// <summary>Mount only: copy the covered directory's content into the new mount (tmpcopyup).</summary>
    CopyUp = 0x40,
}

/// <summary>num2 of <see cref="PlanOp.IdmapTree"/> (TREE_* in nsexec.c).</summary>
[Flags]
public enum IdmapTreeFlags : long
{
    None = 0,
    /// <summary>open_tree with AT_RECURSIVE: the submounts are copied too (rbind).</summary>
    CloneRecursive = 0x01,
    /// <summary>mount_setattr with AT_RECURSIVE: the submounts are idmapped too (ridmap).</summary>
    IdmapRecursive = 0x02,
    /// <summary>No later step uses the user namespace slot: psc-nsexec closes it.</summary>
    LastUseOfUserNs = 0x04,
}
