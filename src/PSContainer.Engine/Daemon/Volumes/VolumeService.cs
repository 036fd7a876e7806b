using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PSContainer.Api;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.Engine.Core.Events;
using PSContainer.Engine.Core.Volumes;

namespace PSContainer.Engine.Daemon.Volumes;

/// <summary>
/// dockerd's volume semantics over the core's local driver: the /volumes API (create, list with
/// filters, inspect, remove, prune, sizes for `system df`) in this file, and the containers' side
/// (resolving a container's mounts at create, mounting and copy-up at start, release at exit and
/// removal) in VolumeService.Containers.cs.
/// </summary>
public sealed partial class VolumeService(LocalVolumeStore store, EventExchange? events = null, ILogger? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    public LocalVolumeStore Store => store;

    /// <summary>POST /volumes/create: idempotent for an existing name, like Docker.</summary>
    public VolumeSummary Create(VolumeCreateRequest request)
    {
        var name = string.IsNullOrEmpty(request.Name) ? VolumeNames.NewAnonymous() : request.Name;
        var (volume, created) = store.Create(name, request.Labels, request.DriverOpts, anonymous: false, request.Driver);
        if (created)
        {
            Publish(volume, "create");
        }
        return Summary(volume, usage: false);
    }

    public VolumeSummary Inspect(string name) => Summary(store.Get(name), usage: false);

    public VolumeListResponse List(VolumeFilters filters) => new()
    {
        Volumes = [.. store.List().Where(v => filters.Matches(v, store.UsersOf(v.Name).Count > 0)).Select(v => Summary(v, usage: false))],
        Warnings = [],
    };

    /// <summary>DELETE /volumes/{name}: refused while a container uses it (force only forgives a missing volume, as in Docker).</summary>
    public void Remove(string name, bool force)
    {
        try
        {
            store.Remove(name);
        }
        catch (CoreException e) when (force && e.Kind == CoreErrorKind.NotFound)
        {
            return;
        }
        events?.Publish("volume", "destroy", name, new Dictionary<string, string> { ["driver"] = LocalVolumeStore.DriverName });
    }

    /// <summary>
    /// POST /volumes/prune: removes unused volumes — only anonymous ones unless all=true (API 1.42+;
    /// <paramref name="allByDefault"/> for older clients) — and reports what was freed.
    /// </summary>
    public VolumePruneResponse Prune(VolumeFilters filters, bool allByDefault)
    {
        var all = allByDefault || filters.All;
        var deleted = new List<string>();
        long reclaimed = 0;
        foreach (var volume in store.List())
        {
            if (store.UsersOf(volume.Name).Count > 0 || (!all && !volume.Record.Anonymous && !volume.Record.Labels.ContainsKey(VolumeNames.AnonymousLabel))
                || !filters.Matches(volume, inUse: false))
            {
                continue;
            }
            var size = store.Size(volume.Name);
            try
            {
                store.Remove(volume.Name);
            }
            catch (CoreException e) when (e.Kind is CoreErrorKind.Conflict or CoreErrorKind.NotFound)
            {
                continue; // taken into use (or removed) since we listed it
            }
            deleted.Add(volume.Name);
            reclaimed += size;
            events?.Publish("volume", "destroy", volume.Name, new Dictionary<string, string> { ["driver"] = volume.Record.Driver });
        }
        events?.Publish("volume", "prune", "", new Dictionary<string, string> { ["reclaimed"] = reclaimed.ToString(CultureInfo.InvariantCulture) });
        return new VolumePruneResponse { VolumesDeleted = deleted, SpaceReclaimed = reclaimed };
    }

    /// <summary>Every volume with its size and the number of containers using it (`docker system df`).</summary>
    public List<VolumeSummary> DiskUsage() => [.. store.List().Select(v => Summary(v, usage: true))];

    private VolumeSummary Summary(VolumeInfo volume, bool usage)
    {
        var record = volume.Record;
        return new VolumeSummary
        {
            Name = record.Name,
            Driver = record.Driver,
            Mountpoint = volume.Mountpoint,
            CreatedAt = record.CreatedAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            Labels = new Dictionary<string, string>(record.Labels),
            Scope = "local",
            Options = new Dictionary<string, string>(record.Options),
            UsageData = usage ? new VolumeUsageData { Size = store.Size(record.Name), RefCount = store.UsersOf(record.Name).Count } : null,
        };
    }

    private void Publish(VolumeInfo volume, string action, Dictionary<string, string>? extra = null)
    {
        if (events is null)
        {
            return;
        }
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["driver"] = volume.Record.Driver };
        foreach (var (key, value) in extra ?? [])
        {
            attributes[key] = value;
        }
        events.Publish("volume", action, volume.Name, attributes);
    }
}
