using PSContainer.Api;
using PSContainer.Engine.Core.Volumes;
using PSContainer.Engine.Daemon.Volumes;
using PSContainer.Engine.Errors;
using OciMount = PSContainer.Oci.Mount;

namespace PSContainer.Engine.Daemon.Containers;

/// <summary>The container life cycle's calls into the volume service: resolve at create, mount at start, release at exit and removal.</summary>
public sealed partial class ContainerService
{
    private readonly VolumeService _volumes = options.Volumes ?? new VolumeService(new LocalVolumeStore(options.VolumesRoot));

    /// <summary>Volumes and the containers' mounts (for the volume endpoints, system df, and archive/cp).</summary>
    public VolumeService Volumes => _volumes;

    /// <summary>Create: the container's mount points, with --volumes-from sources looked up by name or id.</summary>
    private void ResolveVolumeMounts(Container container)
    {
        var sources = new List<VolumesFromSource>();
        foreach (var spec in container.Record.HostConfig.VolumesFrom ?? [])
        {
            var parts = spec.Split(':');
            if (parts.Length > 2 || parts[0].Length == 0)
            {
                throw EngineException.InvalidParameter($"invalid volumes-from specification: '{spec}'");
            }
            bool? readOnly = parts.Length == 1 ? null : parts[1] switch
            {
                "ro" => true,
                "rw" => false,
                _ => throw EngineException.InvalidParameter($"invalid mode: {parts[1]} in volumes-from '{spec}' (ro or rw)"),
            };
            var other = store.Get(parts[0]);
            if (other.Id == container.Id)
            {
                throw EngineException.InvalidParameter("a container cannot take volumes from itself");
            }
            sources.Add(new VolumesFromSource(other.Id, readOnly));
        }
        _volumes.ResolveForCreate(container.Id, container.StateDirectory, container.Record.HostConfig, container.Record.Config, sources);
    }

    /// <summary>A create that failed after resolving: drop the references and the anonymous volumes it made.</summary>
    private void AbandonVolumeMounts(Container container) => _volumes.Forget(container.Id, removeAnonymous: true);

    /// <summary>Start, with the rootfs mounted: volumes mounted and populated; the OCI mounts for the spec.</summary>
    private List<OciMount> PrepareVolumeMounts(Container container) => _volumes.Activate(container.Id, container.RootfsDirectory);

    /// <summary>The task ended (or never started): its volumes lose an active user. Never throws: exit handling must go on.</summary>
    private void ReleaseVolumeMounts(Container container)
    {
        try
        {
            _volumes.Deactivate(container.Id);
        }
        catch (Exception e) when (e is IOException or Core.Errdefs.CoreException)
        {
            Log.CleanupFailed(logger, container.Id, "volumes: " + e.Message);
        }
    }

    /// <summary>Removal: the container stops using its volumes; with removeVolumes its anonymous ones go too.</summary>
    private void ForgetVolumeMounts(Container container, bool removeVolumes)
    {
        try
        {
            _volumes.Forget(container.Id, removeVolumes);
        }
        catch (Exception e) when (e is IOException or Core.Errdefs.CoreException)
        {
            Log.CleanupFailed(logger, container.Id, "volumes: " + e.Message);
        }
    }

    private List<MountPoint> VolumeMountPoints(Container container) => _volumes.InspectMounts(container.Id);

    /// <summary>Engine start: who uses which volume; containers from before mounts were recorded are resolved now.</summary>
    private void RecoverVolumeMounts(IReadOnlyList<Container> containers)
    {
        var missing = _volumes.Restore(containers.Select(c => (c.Id, c.StateDirectory, c.Record.State.HasTask)));
        foreach (var container in containers.Where(c => missing.Contains(c.Id)))
        {
            try
            {
                ResolveVolumeMounts(container);
            }
            catch (Exception e) when (e is EngineException or Core.Errdefs.CoreException or IOException)
            {
                Log.CleanupFailed(logger, container.Id, "resolving mounts: " + e.Message);
            }
        }
    }
}
