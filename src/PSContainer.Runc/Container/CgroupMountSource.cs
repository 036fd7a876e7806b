namespace PSContainer.Runc.Container;

/// <summary>
/// One host cgroup hierarchy as a `cgroup` mount in the container shows it: where the host mounts it,
/// the container's own directory in it, and what it holds. The runtime takes these from the
/// container's cgroup manager; <see cref="PlanBuilder"/> turns them into runc's layout.
/// </summary>
/// <param name="MountPoint">The host's mount point, e.g. /sys/fs/cgroup/cpu,cpuacct; its last component names the directory in the container.</param>
/// <param name="Directory">The container's cgroup directory in this hierarchy (the bind source without a cgroup namespace).</param>
/// <param name="Controllers">v1: the controllers and named hierarchies ("cpu", "cpuacct", "name=systemd"); empty for cgroup2.</param>
/// <param name="IsUnified">True for a cgroup2 hierarchy.</param>
public sealed record CgroupMountSource(string MountPoint, string Directory, IReadOnlyList<string> Controllers, bool IsUnified)
{
    /// <summary>The directory name under the container's cgroup mount ("cpu,cpuacct", "systemd").</summary>
    public string Name => Path.GetFileName(MountPoint.TrimEnd('/'));
}
