namespace PSContainer.Engine.Core.Gc;

/// <summary>
/// Mark and sweep over content and snapshots. Roots: every image (its index, manifest, config,
/// layers and the snapshots of its chain ids), the snapshots the daemon names (containers'
/// rootfs), anything labelled <c>containerd.io/gc.root</c>, and everything held by a live lease.
/// </summary>
public interface IGarbageCollector
{
    /// <summary>
    /// Removes unreferenced blobs and snapshots. <paramref name="snapshotRoots"/> are snapshot keys
    /// in use outside the image store (container rootfs snapshots); their parents stay too.
    /// </summary>
    GcResult Collect(IEnumerable<string> snapshotRoots);

    /// <summary>Starts a lease: what is added to it is not collected until it is disposed.</summary>
    Lease CreateLease(string description);
}

public sealed record GcResult(IReadOnlyList<string> RemovedBlobs, IReadOnlyList<string> RemovedSnapshots, long BytesReclaimed);
