namespace PSContainer.Engine.Daemon.Containers;

/// <summary>docker cp on a stopped container: its volumes and binds in the temporary view of its rootfs.</summary>
public sealed partial class ContainerService
{
    /// <summary>
    /// Mounts the container's volumes and binds into <paramref name="view"/> (its mounted rootfs)
    /// and returns the volume user to release afterwards. On failure no volume stays taken; the
    /// caller unmounts the view, binds included.
    /// </summary>
    private string MountVolumesForView(Container container, string view)
    {
        var user = "cp:" + container.Id;
        var mounts = _volumes.AcquireViewMounts(container.Id, user, view);
        try
        {
            ArchiveViewMounter.MountAll(view, mounts);
            return user;
        }
        catch
        {
            ReleaseViewVolumes(container, user);
            throw;
        }
    }

    /// <summary>Never throws: it runs in cleanup, after the copy's own result is decided.</summary>
    private void ReleaseViewVolumes(Container container, string user)
    {
        try
        {
            _volumes.ReleaseViewMounts(container.Id, user);
        }
        catch (Exception e) when (e is IOException or Core.Errdefs.CoreException)
        {
            Log.CleanupFailed(logger, container.Id, "cp volumes: " + e.Message);
        }
    }
}
