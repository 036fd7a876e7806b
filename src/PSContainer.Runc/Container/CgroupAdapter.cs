using PSContainer.Oci;
using PSContainer.Runc.Cgroups;

namespace PSContainer.Runc.Container;

/// <summary>The runtime's view (<see cref="IContainerCgroup"/>) of a cgroup manager from Cgroups/.</summary>
public sealed class CgroupAdapter(ICgroupManager manager, Func<ICgroupManager, string?>? stats = null) : IContainerCgroup
{
    public string Path => manager.Path;

    public void Apply(int pid)
    {
        manager.Create();
        manager.Apply(pid);
    }

    public void Set(LinuxResources resources) => manager.Set(resources);

    public void Freeze() => manager.Freeze();

    public void Thaw() => manager.Thaw();

    public bool IsFrozen() => manager.GetFreezerState() != FreezerState.Thawed;

    public IReadOnlyList<int> Pids() => manager.GetPids(recursive: true);

    public void Destroy() => manager.Destroy(killProcesses: true);

    public string? StatsJson() => stats?.Invoke(manager);

    public IReadOnlyList<CgroupMountSource> MountSources => manager is CgroupManagerBase known
        ? known.HierarchyDirectories
            .Select(h => new CgroupMountSource(h.Hierarchy.MountPoint, h.Directory,
                h.Hierarchy.Controllers.Order(StringComparer.Ordinal).ToList(), h.Hierarchy.IsUnified))
            .ToList()
        : [];
}

/// <summary>Makes <see cref="CgroupAdapter"/>s with <see cref="CgroupManager"/> (v1/hybrid or v2, detected).</summary>
public sealed class CgroupfsProvider(CgroupOptions? options = null, Func<ICgroupManager, string?>? stats = null) : ICgroupProvider
{
    public IContainerCgroup ForNew(string id, Linux? linux)
    {
        try
        {
            return new CgroupAdapter(CgroupManager.Open(linux?.CgroupsPath, id, options), stats);
        }
        catch (CgroupConfigException e)
        {
            throw new RuncException(e.Message);
        }
    }

    public IContainerCgroup Open(string path) => new CgroupAdapter(CgroupManager.Open(path, "", options), stats);
}
