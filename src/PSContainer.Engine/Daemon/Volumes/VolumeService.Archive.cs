using PSContainer.Engine.Core.Volumes;

namespace PSContainer.Engine.Daemon.Volumes;

/// <summary>A mount to show in docker cp's view of a stopped container: host directory or file, where, how.</summary>
public sealed record ViewMount(string Source, string Destination, bool ReadOnly, bool Recursive);

public sealed partial class VolumeService
{
    /// <summary>
    /// docker cp on a stopped container sees its volumes and binds as a running one would: the
    /// mounts to place in the temporary view, parents before children. Volumes with driver options
    /// are mounted for <paramref name="user"/> until <see cref="ReleaseViewMounts"/>, which also keeps
    /// them from being removed meanwhile. tmpfs mounts are left out (a stopped container has none;
    /// the directory underneath is what Docker shows), and so is a -v bind whose host directory
    /// does not exist yet (start creates it). A volume that still waits for the image's content
    /// (never started) gets it now from <paramref name="rootfs"/>, as dockerd fills volumes at
    /// create: a copy into it must not make start see it non-empty and skip the image's files.
    /// </summary>
    public List<ViewMount> AcquireViewMounts(string containerId, string user, string rootfs)
    {
        var mounts = new List<ViewMount>();
        var taken = new List<string>();
        var changed = false;
        try
        {
            foreach (var point in Sorted(MountsOf(containerId)))
            {
                switch (point.Type)
                {
                    case "volume":
                        var data = MountAndFill(point, user, rootfs, ref changed);
                        taken.Add(point.Name!);
                        mounts.Add(new ViewMount(data, point.Destination, !point.RW, Recursive: true));
                        break;
                    case "bind" when Path.Exists(point.Source):
                        mounts.Add(new ViewMount(point.Source, point.Destination, !point.RW, !point.NonRecursive));
                        break;
                }
            }
            if (changed)
            {
                Save(containerId);
            }
            return mounts;
        }
        catch
        {
            foreach (var name in taken)
            {
                store.Unmount(name, user);
            }
            throw;
        }
    }

    /// <summary>The view is gone: <paramref name="user"/> stops using the container's volumes. Idempotent.</summary>
    public void ReleaseViewMounts(string containerId, string user)
    {
        foreach (var point in MountsOf(containerId).Where(p => p.Type == "volume" && p.Name is not null))
        {
            store.Unmount(point.Name!, user);
        }
    }
}
