using PSContainer.Oci;

namespace PSContainer.Runc.Cgroups;

/// <summary>The freezer state of a container's cgroup.</summary>
public enum FreezerState
{
    Thawed,
    /// <summary>v1 only: the kernel is still stopping tasks.</summary>
    Freezing,
    Frozen,
}

/// <summary>
/// One container's cgroup, in every hierarchy that applies (v1: each mounted controller plus the
/// named systemd hierarchy and, in hybrid mode, the empty cgroup2 tree; v2: one directory).
/// Get one from <see cref="CgroupManager.Open"/>. Every failed write names the file and value.
/// </summary>
public interface ICgroupManager
{
    /// <summary>1 or 2.</summary>
    int Version { get; }

    /// <summary>The cgroup path relative to the hierarchy roots, e.g. "/psc/web".</summary>
    string Path { get; }

    /// <summary>
    /// The cgroup directory per controller ("memory" → /sys/fs/cgroup/memory/psc/web; "name=systemd";
    /// "" for the cgroup2 directory), as runc keeps in its state file.
    /// </summary>
    IReadOnlyDictionary<string, string> Paths { get; }

    /// <summary>Creates the cgroup directories (v1: initialises empty cpuset.cpus/mems from the parents; v2: enables controllers in the ancestors).</summary>
    void Create();

    /// <summary>Moves process <paramref name="pid"/> into the cgroup (cgroup.procs in every hierarchy).</summary>
    void Apply(int pid);

    /// <summary>Writes <paramref name="resources"/> (the initial limits at create time).</summary>
    void Set(LinuxResources resources);

    /// <summary>
    /// Writes <paramref name="resources"/> to a running container (runc update); with
    /// memory.checkBeforeUpdate a limit below the current usage is refused first.
    /// </summary>
    void Update(LinuxResources resources);

    /// <summary>Freezes every task and waits until the kernel reports the cgroup frozen.</summary>
    void Freeze();

    /// <summary>Thaws the cgroup.</summary>
    void Thaw();

    FreezerState GetFreezerState();

    /// <summary>The PIDs in the cgroup (with <paramref name="recursive"/>, also in child cgroups).</summary>
    IReadOnlyList<int> GetPids(bool recursive = false);

    /// <summary>Usage counters for <c>runc events --stats</c>.</summary>
    CgroupStats GetStats();

    /// <summary>How many times the OOM killer killed a task of this cgroup (v1 memory.oom_control, v2 memory.events).</summary>
    ulong GetOomKillCount();

    /// <summary>Whether the cgroup directory exists (in the memory/pids hierarchy on v1).</summary>
    bool Exists();

    /// <summary>
    /// Removes the cgroup (and any child cgroups) in every hierarchy, retrying rmdir while the kernel
    /// reports EBUSY. With <paramref name="killProcesses"/>, SIGKILLs what is still inside first.
    /// Missing directories are not an error, so Destroy can run after a half-done Create.
    /// </summary>
    void Destroy(bool killProcesses = false);
}
