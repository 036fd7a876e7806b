using System.Collections.Concurrent;
using System.Text.Json;
using PSContainer.Api;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.Engine.Core.Metadata;
using PSContainer.Engine.Core.Volumes;
using PSContainer.Engine.Daemon.Spec;
using PSContainer.Engine.Errors;
using OciMount = PSContainer.Oci.Mount;

namespace PSContainer.Engine.Daemon.Volumes;

/// <summary>A container whose mounts another one inherits (--volumes-from), and how.</summary>
/// <param name="ReadOnly">null: each mount keeps its own mode; true/false: ":ro"/":rw" given.</param>
public sealed record VolumesFromSource(string ContainerId, bool? ReadOnly);

public sealed partial class VolumeService
{
    private const string MountsFile = "mounts.json";
    private readonly ConcurrentDictionary<string, ContainerMounts> _containers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lock> _copyLocks = new(StringComparer.Ordinal);

    private sealed record ContainerMounts(string StateDirectory, List<MountPointRecord> Mounts);

    /// <summary>
    /// At create: turns the HostConfig's -v/--mount/--tmpfs, the inherited --volumes-from mounts and
    /// the config's VOLUME entries into the container's mount points, creating the named volumes
    /// that do not exist yet and an anonymous volume for each VOLUME nothing else covers, and
    /// records the container as their user. Persisted in the container's state directory. On any
    /// error nothing is left: references are dropped and the volumes made here are removed.
    /// </summary>
    public IReadOnlyList<MountPointRecord> ResolveForCreate(string containerId, string stateDirectory, HostConfig host,
        ContainerConfig config, IReadOnlyList<VolumesFromSource> volumesFrom)
    {
        var requests = MountSpecParser.Parse(host);
        ValidateDrivers(host, requests);
        // --mount type=bind never creates its source (-v does, at start): refuse at create, as Docker does.
        foreach (var missing in requests.Where(r => r.Kind == MountKind.Bind && !r.CreateHostPath && !Path.Exists(r.Source)))
        {
            throw EngineException.InvalidParameter($"invalid mount config for type \"bind\": bind source path does not exist: {missing.Source}");
        }
        var byDestination = new Dictionary<string, MountPointRecord>(StringComparer.Ordinal);
        var order = new List<string>();
        void Put(MountPointRecord point)
        {
            var key = MountSpecParser.CleanPath(point.Destination);
            if (!byDestination.ContainsKey(key))
            {
                order.Add(key);
            }
            byDestination[key] = point;
        }
        foreach (var source in volumesFrom)
        {
            var inherited = MountsOf(source.ContainerId);
            foreach (var point in inherited.Where(p => p.Type is "bind" or "volume"))
            {
                Put(new MountPointRecord
                {
                    Type = point.Type,
                    Name = point.Name,
                    Source = point.Source,
                    Destination = point.Destination,
                    Driver = point.Driver,
                    Mode = source.ReadOnly is null ? point.Mode : source.ReadOnly.Value ? "ro" : "rw",
                    RW = source.ReadOnly is null ? point.RW : !source.ReadOnly.Value,
                    Propagation = point.Propagation,
                    Named = point.Named,
                    NonRecursive = point.NonRecursive,
                    FromContainer = source.ContainerId,
                });
            }
        }
        // Binds, mounts and tmpfs were checked for duplicates among themselves; they override inherited ones.
        foreach (var request in requests)
        {
            Put(UserMountBuilder.Unresolved(request));
        }
        foreach (var destination in (config.Volumes?.Keys ?? Enumerable.Empty<string>()).Order(StringComparer.Ordinal))
        {
            if (!destination.StartsWith('/'))
            {
                throw EngineException.InvalidParameter($"invalid volume specification: '{destination}': invalid mount path: '{destination}' mount path must be absolute");
            }
            if (byDestination.ContainsKey(MountSpecParser.CleanPath(destination)) || MountSpecParser.CleanPath(destination) == "/")
            {
                continue;
            }
            Put(new MountPointRecord { Type = "volume", Destination = destination, Driver = LocalVolumeStore.DriverName, CopyData = true });
        }

        var points = order.Select(k => byDestination[k]).ToList();
        var referenced = new List<string>();
        var created = new List<string>();
        try
        {
            foreach (var point in points.Where(p => p.Type == "volume"))
            {
                var request = requests.FirstOrDefault(r => r.Kind == MountKind.Volume && MountSpecParser.CleanPath(r.Destination) == MountSpecParser.CleanPath(point.Destination));
                if (point.FromContainer is not null)
                {
                    store.Reference(point.Name!, containerId);
                    referenced.Add(point.Name!);
                    continue;
                }
                var anonymous = point.Name is null;
                point.Name ??= VolumeNames.NewAnonymous();
                var (volume, made) = store.CreateAndReference(point.Name, containerId, request?.VolumeLabels, request?.DriverOptions, anonymous, LocalVolumeStore.DriverName);
                referenced.Add(point.Name);
                point.Driver = volume.Record.Driver;
                if (made)
                {
                    created.Add(point.Name);
                    Publish(volume, "create");
                }
            }
            var record = new ContainerMountsRecord { Mounts = points };
            Directory.CreateDirectory(stateDirectory);
            AtomicFile.WriteAllBytes(Path.Combine(stateDirectory, MountsFile), JsonSerializer.SerializeToUtf8Bytes(record, VolumeJsonContext.Default.ContainerMountsRecord));
            _containers[containerId] = new ContainerMounts(stateDirectory, points);
            return points;
        }
        catch
        {
            foreach (var name in referenced)
            {
                store.Release(name, containerId);
            }
            foreach (var name in created)
            {
                TryRemove(name);
            }
            throw;
        }
    }

    /// <summary>The container's resolved mounts (empty for an unknown container). The archive/cp code uses these to see through mounts.</summary>
    public IReadOnlyList<MountPointRecord> MountsOf(string containerId) =>
        _containers.TryGetValue(containerId, out var mounts) ? mounts.Mounts : [];

    /// <summary>Where a mount point's content lives on the host: the bind's source or the volume's _data.</summary>
    public string HostPathOf(MountPointRecord point) => point.Type switch
    {
        "bind" => point.Source,
        "volume" => store.MountpointOf(point.Name ?? throw EngineException.Internal($"volume mount on {point.Destination} has no name")),
        _ => "",
    };

    /// <summary>What container inspect shows under Mounts (tmpfs from --tmpfs is not listed, as in Docker).</summary>
    public List<MountPoint> InspectMounts(string containerId) =>
        [.. MountsOf(containerId).Where(p => !p.HiddenFromInspect).Select(p => new MountPoint
        {
            Type = p.Type,
            Name = p.Type == "volume" ? p.Name : null,
            Source = p.Type == "tmpfs" ? "" : HostPathOf(p),
            Destination = p.Destination,
            Driver = p.Type == "volume" ? p.Driver : null,
            Mode = p.Mode,
            RW = p.RW,
            Propagation = p.Propagation,
        })];

    /// <summary>The OCI mounts for a spec that is only checked, not run (create's dry run): nothing is mounted or copied.</summary>
    public List<OciMount> OciMountsForCheck(string containerId) => UserMountBuilder.ToOci(Sorted(MountsOf(containerId)), HostPathOf);

    /// <summary>
    /// At start, with the container's rootfs mounted: mounts volumes that need it, copies the
    /// image's content into new volumes (once), creates missing -v host directories (a missing
    /// --mount source is an error, as in Docker) and returns the OCI mounts, parents before children.
    /// A failure releases what it took.
    /// </summary>
    public List<OciMount> Activate(string containerId, string rootfs)
    {
        var points = MountsOf(containerId);
        var mounted = new List<string>();
        var changed = false;
        try
        {
            foreach (var point in points)
            {
                switch (point.Type)
                {
                    case "volume":
                        MountAndFill(point, containerId, rootfs, ref changed);
                        mounted.Add(point.Name!);
                        events?.Publish("volume", "mount", point.Name!, new Dictionary<string, string>
                        {
                            ["driver"] = point.Driver,
                            ["container"] = containerId,
                            ["destination"] = point.Destination,
                            ["read/write"] = point.RW ? "true" : "false",
                            ["propagation"] = point.Propagation,
                        });
                        break;
                    case "bind" when !Path.Exists(point.Source):
                        if (!point.CreateHostPath)
                        {
                            throw EngineException.InvalidParameter($"invalid mount config for type \"bind\": bind source path does not exist: {point.Source}");
                        }
                        Directory.CreateDirectory(point.Source, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                            UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
                        break;
                }
            }
            if (changed)
            {
                Save(containerId);
            }
            return UserMountBuilder.ToOci(Sorted(points), HostPathOf);
        }
        catch
        {
            foreach (var name in mounted)
            {
                store.Unmount(name, containerId);
            }
            throw;
        }
    }

    /// <summary>
    /// Mounts <paramref name="point"/>'s volume for <paramref name="user"/> and returns its data
    /// directory; a volume that still waits for the image's content gets it now, once (then
    /// <paramref name="changed"/>: the container's mount records need saving).
    /// </summary>
    private string MountAndFill(MountPointRecord point, string user, string rootfs, ref bool changed)
    {
        var data = store.Mount(point.Name!, user);
        if (point.CopyData)
        {
            try
            {
                lock (_copyLocks.GetOrAdd(point.Name!, _ => new Lock()))
                {
                    VolumeCopier.CopyIntoEmpty(rootfs, point.Destination, data);
                }
            }
            catch
            {
                store.Unmount(point.Name!, user); // the caller never saw it mounted
                throw;
            }
            point.CopyData = false;
            changed = true;
        }
        return data;
    }

    /// <summary>The container stopped: its volumes lose an active user (the last one out unmounts). Idempotent.</summary>
    public void Deactivate(string containerId)
    {
        foreach (var point in MountsOf(containerId).Where(p => p.Type == "volume"))
        {
            if (store.Unmount(point.Name!, containerId))
            {
                events?.Publish("volume", "unmount", point.Name!, new Dictionary<string, string> { ["driver"] = point.Driver, ["container"] = containerId });
            }
        }
    }

    /// <summary>
    /// The container is gone: it no longer uses its volumes. With <paramref name="removeAnonymous"/>
    /// (rm -v, --rm) its anonymous volumes that nobody else uses are removed; named volumes never are.
    /// </summary>
    public void Forget(string containerId, bool removeAnonymous)
    {
        if (!_containers.TryRemove(containerId, out var mounts))
        {
            return;
        }
        foreach (var point in mounts.Mounts.Where(p => p.Type == "volume"))
        {
            var stillUsed = store.Release(point.Name!, containerId);
            if (removeAnonymous && !stillUsed && !point.Named && store.TryGet(point.Name!, out var volume) && volume.Record.Anonymous)
            {
                TryRemove(point.Name!);
            }
        }
    }

    /// <summary>
    /// At engine start: reads every container's mounts.json and tells the store who uses which
    /// volume and who runs (their volumes stay mounted; others are unmounted). Returns the ids of
    /// containers without a mounts file (made before volumes were tracked), for the caller to resolve.
    /// </summary>
    public List<string> Restore(IEnumerable<(string ContainerId, string StateDirectory, bool Running)> containers)
    {
        var missing = new List<string>();
        var uses = new List<(string, string, bool)>();
        foreach (var (id, stateDirectory, running) in containers)
        {
            var path = Path.Combine(stateDirectory, MountsFile);
            if (!File.Exists(path))
            {
                missing.Add(id);
                continue;
            }
            var record = JsonSerializer.Deserialize(File.ReadAllBytes(path), VolumeJsonContext.Default.ContainerMountsRecord)
                ?? throw CoreException.DataCorrupted($"{path}: empty mounts record");
            _containers[id] = new ContainerMounts(stateDirectory, record.Mounts);
            uses.AddRange(record.Mounts.Where(p => p.Type == "volume" && p.Name is not null).Select(p => (p.Name!, id, running)));
        }
        store.Restore(uses);
        return missing;
    }

    private void Save(string containerId)
    {
        if (_containers.TryGetValue(containerId, out var mounts))
        {
            AtomicFile.WriteAllBytes(Path.Combine(mounts.StateDirectory, MountsFile),
                JsonSerializer.SerializeToUtf8Bytes(new ContainerMountsRecord { Mounts = mounts.Mounts }, VolumeJsonContext.Default.ContainerMountsRecord));
        }
    }

    private void TryRemove(string name)
    {
        try
        {
            store.Remove(name);
            events?.Publish("volume", "destroy", name, new Dictionary<string, string> { ["driver"] = LocalVolumeStore.DriverName });
        }
        catch (Exception e) when (e is CoreException or IOException)
        {
            VolumeLog.RemoveFailed(_logger, name, e.Message);
        }
    }

    /// <summary>Parents before children (by path depth), so /data/cache is mounted on top of /data.</summary>
    private static List<MountPointRecord> Sorted(IEnumerable<MountPointRecord> points) =>
        [.. points.OrderBy(p => MountSpecParser.CleanPath(p.Destination).Count(c => c == '/'))];

    private static void ValidateDrivers(HostConfig host, List<MountRequest> requests)
    {
        foreach (var driver in requests.Select(r => r.VolumeDriver).Append(host.VolumeDriver))
        {
            if (!string.IsNullOrEmpty(driver) && driver != LocalVolumeStore.DriverName)
            {
                throw EngineException.InvalidParameter($"volume driver \"{driver}\" is not supported: only the \"{LocalVolumeStore.DriverName}\" driver is available");
            }
        }
    }
}

internal static partial class VolumeLog
{
    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "volume {Name}: remove failed: {Error}")]
    public static partial void RemoveFailed(Microsoft.Extensions.Logging.ILogger logger, string name, string error);
}
