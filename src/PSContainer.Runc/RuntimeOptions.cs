using PSContainer.Oci;
using PSContainer.Runc.Container;

namespace PSContainer.Runc;

/// <summary>How a <see cref="ContainerRuntime"/> is set up (the CLI's global flags).</summary>
public sealed record RuntimeOptions
{
    /// <summary>The state directory (--root).</summary>
    public string Root { get; init; } = StateStore.DefaultRoot;

    /// <summary>psc-nsexec; default: next to this assembly, or PSC_NSEXEC.</summary>
    public string NsexecPath { get; init; } =
        Environment.GetEnvironmentVariable("PSC_NSEXEC") ?? Path.Combine(AppContext.BaseDirectory, "psc-nsexec");

    /// <summary>Receives debug lines (--debug); null discards them.</summary>
    public Action<string>? Debug { get; init; }

    /// <summary>Receives warnings (a failed poststart or poststop hook); null discards them.</summary>
    public Action<string>? Warn { get; init; }

    /// <summary>The cgroup manager; null runs containers without a cgroup of their own.</summary>
    public ICgroupProvider? Cgroups { get; init; }

    /// <summary>Capability name → number ("CAP_CHOWN" → 0).</summary>
    public required Func<string, int?> CapabilityNumber { get; init; }

    /// <summary>Compiles linux.seccomp to (struct sock_filter[] bytes, SECCOMP_FILTER_FLAG_*); null: seccomp is refused.</summary>
    public Func<LinuxSeccomp, (byte[] Program, long Flags)>? CompileSeccomp { get; init; }
}

/// <summary>Options of <see cref="ContainerRuntime.Create"/> and <see cref="ContainerRuntime.Run"/>.</summary>
public sealed record CreateOptions
{
    /// <summary>Write the init's pid here (atomically) once the container is created.</summary>
    public string? PidFile { get; init; }

    /// <summary>The Unix socket that receives the pty master (process.terminal).</summary>
    public string? ConsoleSocket { get; init; }

    /// <summary>Use MS_MOVE instead of pivot_root.</summary>
    public bool NoPivot { get; init; }

    /// <summary>Accepted for runc compatibility: psc-runc never creates a session keyring.</summary>
    public bool NoNewKeyring { get; init; }

    /// <summary>Pass fds 3 … 3+N-1 of the caller to the container.</summary>
    public int PreserveFds { get; init; }

    /// <summary>Run: return after start instead of waiting for the exit.</summary>
    public bool Detach { get; init; }

    /// <summary>The fds the container process gets as 0, 1, 2 (a host such as psc-shim); null: the caller's own.</summary>
    public IReadOnlyList<int>? Stdio { get; init; }
}

/// <summary>Options of <see cref="ContainerRuntime.Exec"/>.</summary>
public sealed record ExecOptions
{
    public string? PidFile { get; init; }
    public string? ConsoleSocket { get; init; }
    public int PreserveFds { get; init; }
    /// <summary>Return the pid at once instead of waiting for the exit status.</summary>
    public bool Detach { get; init; }

    /// <summary>The fds the process gets as 0, 1, 2 (a host such as psc-shim); null: the caller's own.</summary>
    public IReadOnlyList<int>? Stdio { get; init; }
}

/// <summary>The container's cgroup as the runtime uses it; implemented over the cgroup managers in Cgroups/.</summary>
public interface IContainerCgroup
{
    /// <summary>A path that <see cref="ICgroupProvider.Open"/> accepts later (kept in state.json).</summary>
    string Path { get; }

    /// <summary>Creates the cgroup when needed and moves <paramref name="pid"/> into it.</summary>
    void Apply(int pid);

    /// <summary>Writes the limits (create and update).</summary>
    void Set(LinuxResources resources);

    void Freeze();

    void Thaw();

    bool IsFrozen();

    IReadOnlyList<int> Pids();

    /// <summary>Removes the cgroup (it must be empty).</summary>
    void Destroy();

    /// <summary>Statistics for `events --stats`, as runc's JSON "data" object; null when unknown.</summary>
    string? StatsJson();

    /// <summary>
    /// The container's directory in each host hierarchy, for a `cgroup` mount in the container
    /// (valid once <see cref="Apply"/> has run); empty when unknown (the mount is then a cgroup2 mount).
    /// </summary>
    IReadOnlyList<CgroupMountSource> MountSources => [];
}

/// <summary>Makes or reopens container cgroups (the seam between the runtime and Cgroups/).</summary>
public interface ICgroupProvider
{
    IContainerCgroup ForNew(string id, Linux? linux);

    IContainerCgroup Open(string path);
}
