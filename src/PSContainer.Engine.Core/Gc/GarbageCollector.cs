using PSContainer.Engine.Core.Content;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.Engine.Core.Images;
using PSContainer.Engine.Core.Snapshots;
using PSContainer.Oci;

namespace PSContainer.Engine.Core.Gc;

/// <summary>
/// Mark and sweep (see <see cref="IGarbageCollector"/>). Besides what leases name explicitly,
/// everything created after the oldest live lease began is kept: a writer adds a blob to its
/// lease only once it knows the digest, and this closes that window.
/// </summary>
public sealed class GarbageCollector : IGarbageCollector
{
    private readonly IContentStore _content;
    private readonly IImageStore _images;
    private readonly ISnapshotter _snapshotter;
    private readonly List<(Lease Lease, DateTimeOffset Started)> _leases = [];
    private readonly Lock _lock = new();

    /// <summary>An ingest untouched for this long is abandoned and removed by <see cref="Collect"/>.</summary>
    public static readonly TimeSpan AbandonedIngestAge = TimeSpan.FromDays(1);

    public GarbageCollector(IContentStore content, IImageStore images, ISnapshotter snapshotter)
    {
        _content = content;
        _images = images;
        _snapshotter = snapshotter;
    }

    /// <summary>
    /// A container rootfs younger than this is kept even when the daemon did not name it: between
    /// <see cref="ContainerRootfs.PrepareAsync"/> and the daemon recording the container, nobody
    /// else knows the snapshot is wanted.
    /// </summary>
    public static readonly TimeSpan ContainerCreateGrace = TimeSpan.FromMinutes(5);

    private static bool IsContainerBeingCreated(SnapshotInfo info) =>
        info.Kind == SnapshotKind.Active && info.Labels.ContainsKey(ContainerRootfs.ImageLabel)
        && info.Created > DateTimeOffset.UtcNow - ContainerCreateGrace;

    public Lease CreateLease(string description)
    {
        var lease = new Lease(description, Release);
        lock (_lock)
        {
            // A little slack for file system timestamps that are coarser than the clock.
            _leases.Add((lease, DateTimeOffset.UtcNow.AddSeconds(-2)));
        }
        return lease;
    }

    private void Release(Lease lease)
    {
        lock (_lock)
        {
            _leases.RemoveAll(l => ReferenceEquals(l.Lease, lease));
        }
    }

    public GcResult Collect(IEnumerable<string> snapshotRoots)
    {
        lock (_lock)
        {
            var oldestLease = _leases.Count == 0 ? DateTimeOffset.MaxValue : _leases.Min(l => l.Started);
            var liveBlobs = new HashSet<Digest>();
            var liveSnapshots = new HashSet<string>(snapshotRoots, StringComparer.Ordinal);
            foreach (var image in _images.List())
            {
                if (image.Index is { } index)
                {
                    liveBlobs.Add(index.Digest);
                }
                liveBlobs.Add(image.Target.Digest);
                liveBlobs.Add(image.Manifest.Config.Digest);
                foreach (var layer in image.Manifest.Layers)
                {
                    liveBlobs.Add(layer.Digest);
                }
                foreach (var chainId in image.ChainIds)
                {
                    liveSnapshots.Add(chainId.ToString());
                }
            }
            foreach (var (lease, _) in _leases)
            {
                liveBlobs.UnionWith(lease.Blobs);
                liveSnapshots.UnionWith(lease.Snapshots);
            }

            // Snapshots: roots, labelled roots, recent ones, and the parents of everything kept.
            var snapshots = _snapshotter.Walk().ToDictionary(s => s.Name, StringComparer.Ordinal);
            foreach (var info in snapshots.Values)
            {
                if (info.Labels.ContainsKey(SnapshotLabels.GcRoot) || info.Created >= oldestLease || IsContainerBeingCreated(info))
                {
                    liveSnapshots.Add(info.Name);
                }
            }
            var pending = new Stack<string>(liveSnapshots);
            while (pending.Count > 0)
            {
                if (snapshots.TryGetValue(pending.Pop(), out var info) && info.Parent is { } parent && liveSnapshots.Add(parent))
                {
                    pending.Push(parent);
                }
            }
            var removedSnapshots = new List<string>();
            var dead = snapshots.Keys.Where(k => !liveSnapshots.Contains(k)).ToHashSet(StringComparer.Ordinal);
            // Children before parents: remove leaves until nothing dead is left.
            while (dead.Count > 0)
            {
                var leaves = dead.Where(k => !dead.Any(other => snapshots[other].Parent == k)).ToList();
                if (leaves.Count == 0)
                {
                    break;
                }
                foreach (var key in leaves)
                {
                    try
                    {
                        _snapshotter.Remove(key);
                        removedSnapshots.Add(key);
                    }
                    catch (CoreException e) when (e.Kind is CoreErrorKind.NotFound or CoreErrorKind.FailedPrecondition)
                    {
                        // Gone meanwhile, or a child appeared meanwhile: either way it is not ours to remove.
                    }
                    dead.Remove(key);
                }
            }

            var removedBlobs = new List<string>();
            long reclaimed = 0;
            foreach (var info in _content.Walk().ToList())
            {
                if (liveBlobs.Contains(info.Digest) || info.Labels.ContainsKey(ContentLabels.GcRoot) || info.CreatedAt >= oldestLease)
                {
                    continue;
                }
                try
                {
                    _content.Delete(info.Digest);
                    removedBlobs.Add(info.Digest.ToString());
                    reclaimed += info.Size;
                }
                catch (CoreException e) when (e.Kind == CoreErrorKind.NotFound)
                {
                }
            }
            // Ingests nobody has written to for a day were abandoned (a crashed or cancelled
            // pull): their partial data only takes space.
            foreach (var ingest in _content.ListIngests().Where(i => i.UpdatedAt < DateTimeOffset.UtcNow - AbandonedIngestAge))
            {
                try
                {
                    _content.Abort(ingest.Reference);
                    reclaimed += ingest.Offset;
                }
                catch (CoreException e) when (e.Kind == CoreErrorKind.NotFound)
                {
                }
            }
            return new GcResult(removedBlobs, removedSnapshots, reclaimed);
        }
    }
}
