using PSContainer.Oci;

namespace PSContainer.Runc.Container;

/// <summary>
/// Everything <see cref="PlanBuilder"/> needs besides the spec, decided by the runtime beforehand,
/// so that the builder stays a pure function (config in, operation list out) that tests can drive.
/// </summary>
public sealed record PlanInputs
{
    /// <summary>The validated config.</summary>
    public required Spec Spec { get; init; }

    /// <summary>The rootfs as an absolute host path (bundle + root.path).</summary>
    public required string Rootfs { get; init; }

    /// <summary>
    /// The lowest fd number the runtime uses in the stage-0 process (3 + --preserve-fds); everything at
    /// or above it is marked close-on-exec before the workload runs.
    /// </summary>
    public int FirstRuntimeFd { get; init; } = 3;

    /// <summary>The fd of the exec FIFO (create), or null (run the process at once: exec).</summary>
    public int? ExecFifoFd { get; init; }

    /// <summary>The fd of the connected console socket when process.terminal is true.</summary>
    public int? ConsoleSocketFd { get; init; }

    /// <summary>--no-pivot: MS_MOVE the rootfs onto / instead of pivot_root (for ramfs roots).</summary>
    public bool NoPivot { get; init; }

    /// <summary>The value for HOME when process.env has none (from the rootfs's /etc/passwd, as runc).</summary>
    public string Home { get; init; } = "/";

    /// <summary>The compiled seccomp program (struct sock_filter[] bytes), or null for none.</summary>
    public byte[]? SeccompProgram { get; init; }

    /// <summary>SECCOMP_FILTER_FLAG_* for the seccomp(2) call.</summary>
    public long SeccompFlags { get; init; }

    /// <summary>Maps "CAP_CHOWN" to its number; null for a name the runtime does not know.</summary>
    public required Func<string, int?> CapabilityNumber { get; init; }

    /// <summary>The OCI state for startContainer hooks, split where the init's pid goes: (before, after).</summary>
    public (string Before, string After) StartHookState { get; init; } = ("", "");

    /// <summary>An fd of the PSC_TRACE_FILE (bench/README.md) for psc-nsexec's own steps; null: no tracing.</summary>
    public int? TraceFd { get; init; }

    /// <summary>The container id, for trace lines.</summary>
    public string Id { get; init; } = "";

    /// <summary>Whether /proc/kcore exists on the host (the /dev/core symlink points at it).</summary>
    public bool HostHasKcore { get; init; } = true;

    /// <summary>
    /// Whether a bind source is a directory (mount targets are created as directory or file to
    /// match); the runtime stats the host path, tests pass a fake.
    /// </summary>
    public Func<string, bool> IsDirectory { get; init; } = Directory.Exists;

    /// <summary>
    /// The container's cgroup in each host hierarchy, for a `cgroup` mount (runc's layout: a tmpfs
    /// with one bind or cgroup mount per v1 hierarchy). Empty when the runtime has no cgroup manager:
    /// the mount is then a cgroup2 mount.
    /// </summary>
    public IReadOnlyList<CgroupMountSource> CgroupMounts { get; init; } = [];

    /// <summary>The host's label LSMs (process.apparmorProfile, process.selinuxLabel); none by default.</summary>
    public HostSecurityModules Lsm { get; init; } = HostSecurityModules.None;
}

/// <summary>What an exec needs: the target container's init pid and namespaces, and the process to run.</summary>
public sealed record ExecPlanInputs
{
    /// <summary>The container's config (namespaces to join, seccomp, devices are not touched).</summary>
    public required Spec Spec { get; init; }

    /// <summary>The process to run (from --process or the command line).</summary>
    public required OciProcess Process { get; init; }

    /// <summary>The container's init pid, whose /proc/PID/ns/* are joined.</summary>
    public required int InitPid { get; init; }

    /// <summary>Namespace types that the container has apart from the runtime's (joined through /proc/PID/ns).</summary>
    public required IReadOnlyList<string> NamespacesToJoin { get; init; }

    public int FirstRuntimeFd { get; init; } = 3;

    public int? ConsoleSocketFd { get; init; }

    public string Home { get; init; } = "/";

    public byte[]? SeccompProgram { get; init; }

    public long SeccompFlags { get; init; }

    public required Func<string, int?> CapabilityNumber { get; init; }

    /// <summary>The host's label LSMs (process.apparmorProfile, process.selinuxLabel); none by default.</summary>
    public HostSecurityModules Lsm { get; init; } = HostSecurityModules.None;
}
