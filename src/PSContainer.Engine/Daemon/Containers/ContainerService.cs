using Microsoft.Extensions.Logging;
using PSContainer.Engine.Core.Events;
using PSContainer.Engine.Core.Images;
using PSContainer.Engine.Core.Snapshots;
using PSContainer.Engine.Core.Tasks;
using PSContainer.Oci;

namespace PSContainer.Engine.Daemon.Containers;

/// <summary>Settings the container service needs besides its collaborators.</summary>
/// <param name="VolumesRoot">Named volumes live in &lt;VolumesRoot&gt;/&lt;name&gt;/_data.</param>
/// <param name="InitPath">A static init for --init; null when the host has none.</param>
/// <param name="DefaultSeccomp">Docker's default seccomp profile for a capability set; null: no default filter.</param>
/// <param name="CgroupParent">Parent of every container's cgroup.</param>
/// <param name="PrepareRootfs">Makes the container's writable snapshot from (image id, container id), unpacking
/// layers on demand (the core's ContainerRootfs); null: a snapshot on the image's top chain id.</param>
/// <param name="Networks">Networks, endpoints and published ports; null: containers get a namespace with lo only.</param>
/// <param name="Volumes">The volume service (shared with the volume endpoints); null: one over <paramref name="VolumesRoot"/>.</param>
public sealed record ContainerServiceOptions(
    string VolumesRoot,
    string? InitPath,
    Func<IReadOnlyCollection<string>, LinuxSeccomp>? DefaultSeccomp,
    string CgroupParent = "/pscontainer",
    Func<string, string, CancellationToken, Task>? PrepareRootfs = null,
    Volumes.VolumeService? Volumes = null,
    Networks.NetworkService? Networks = null);

/// <summary>
/// dockerd's container semantics over the core: create (config merge, names, snapshot), start
/// (rootfs, OCI spec, shim), stop/kill/wait/restart, removal, exit handling with restart policies
/// and AutoRemove, attach, logs, exec, and recovery of running containers after an engine restart.
/// Split by concern over several files (ContainerService.*.cs).
/// </summary>
public sealed partial class ContainerService(
    ContainerStore store,
    IImageStore images,
    ISnapshotter snapshotter,
    ITaskManager tasks,
    EventExchange events,
    ContainerServiceOptions options,
    ILogger<ContainerService> logger)
{
    /// <summary>Exit statuses of containers removed in the last minute, for waits that arrive just too late.</summary>
    private readonly RecentlyRemoved _recentlyRemoved = new(TimeSpan.FromMinutes(1));

    public ContainerStore Store => store;

    public IImageStore Images => images;

    private void Publish(Container container, string action, Dictionary<string, string>? extra = null)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["name"] = container.Name,
            ["image"] = container.Record.ImageName,
        };
        foreach (var (key, value) in container.Record.Config.Labels ?? [])
        {
            attributes.TryAdd(key, value);
        }
        foreach (var (key, value) in extra ?? [])
        {
            attributes[key] = value;
        }
        events.Publish("container", action, container.Id, attributes);
    }
}

/// <summary>A short memory of removed containers' exits (by id and name).</summary>
internal sealed class RecentlyRemoved(TimeSpan keep)
{
    private readonly Dictionary<string, (ExitStatus Status, DateTimeOffset At)> _entries = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public void Add(string id, string name, ExitStatus status)
    {
        lock (_lock)
        {
            var now = DateTimeOffset.UtcNow;
            foreach (var stale in _entries.Where(e => now - e.Value.At > keep).Select(e => e.Key).ToList())
            {
                _entries.Remove(stale);
            }
            _entries[id] = (status, now);
            _entries["/" + name] = (status, now);
        }
    }

    public bool TryGet(string idOrName, out ExitStatus status)
    {
        lock (_lock)
        {
            var key = idOrName.Length == 64 ? idOrName : "/" + idOrName.TrimStart('/');
            if (_entries.TryGetValue(key, out var entry) && DateTimeOffset.UtcNow - entry.At <= keep)
            {
                status = entry.Status;
                return true;
            }
            status = null!;
            return false;
        }
    }
}
