namespace PSContainer.Runc.Cgroups;

/// <summary>Chooses the cgroup manager for the host: v1 for legacy and hybrid hosts, v2 for unified ones.</summary>
public static class CgroupManager
{
    /// <summary>
    /// The manager of container <paramref name="containerId"/> whose OCI <c>linux.cgroupsPath</c> is
    /// <paramref name="cgroupsPath"/> (see <see cref="CgroupPath.Resolve"/>). Nothing is created yet.
    /// </summary>
    public static ICgroupManager Open(string? cgroupsPath, string containerId, CgroupOptions? options = null)
    {
        options ??= new CgroupOptions();
        if (options.SystemdCgroup)
        {
            throw new CgroupConfigException("--systemd-cgroup is not supported: psc-runc manages cgroups through cgroupfs only");
        }
        var path = CgroupPath.Resolve(cgroupsPath, containerId, options.DefaultParent);
        var layout = options.Layout ?? CgroupLayout.Detect(options.MountInfoPath);
        return layout.Mode == CgroupMode.Unified
            ? new V2.CgroupV2Manager(layout.Unified!, path, options)
            : new V1.CgroupV1Manager(layout, path, options);
    }
}
