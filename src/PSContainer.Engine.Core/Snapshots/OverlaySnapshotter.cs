namespace PSContainer.Engine.Core.Snapshots;

/// <summary>
/// Snapshots on overlayfs: each snapshot owns <c>fs/</c> (its upper directory) and <c>work/</c>;
/// a child mounts its parents' fs directories as the lowerdir chain, so a layer is stored once
/// however many images and containers sit on it. Layers are applied straight into fs/ with
/// overlay-format whiteouts, without mounting.
/// </summary>
public sealed class OverlaySnapshotter : SnapshotterBase
{
    public OverlaySnapshotter(string root)
        : base(root)
    {
    }

    public override string Name => "overlayfs";

    protected override void CreateLayout(string directory, SnapshotKind kind, IReadOnlyList<SnapshotRecord> parents)
    {
        Directory.CreateDirectory(Path.Combine(directory, "fs"));
        if (kind == SnapshotKind.Active)
        {
            Directory.CreateDirectory(Path.Combine(directory, "work"));
        }
    }

    protected override IReadOnlyList<SnapshotMount> MountsOf(SnapshotRecord record, IReadOnlyList<SnapshotRecord> parents)
    {
        if (parents.Count == 0)
        {
            // Nothing below: a plain bind mount of the (empty) fs directory.
            return [new SnapshotMount("bind", FsOf(record.Id), record.Kind == SnapshotKind.View ? ["ro", "rbind"] : ["rw", "rbind"])];
        }
        var lower = "lowerdir=" + string.Join(':', parents.Select(p => FsOf(p.Id)));
        if (record.Kind == SnapshotKind.View)
        {
            // overlayfs needs at least two lower directories when there is no upper one.
            return parents.Count == 1
                ? [new SnapshotMount("bind", FsOf(parents[0].Id), ["ro", "rbind"])]
                : [new SnapshotMount("overlay", "overlay", ["ro", lower])];
        }
        return [new SnapshotMount("overlay", "overlay",
            [lower, "upperdir=" + FsOf(record.Id), "workdir=" + Path.Combine(DirectoryOf(record.Id), "work")])];
    }

    protected override ApplyTarget ApplyTargetOf(SnapshotRecord record, IReadOnlyList<SnapshotRecord> parents) =>
        new(FsOf(record.Id), WhiteoutFormat.Overlay, [.. parents.Select(p => FsOf(p.Id))]);

    protected override void OnCommit(SnapshotRecord record)
    {
        // The work directory is only needed while the snapshot can be mounted writable.
        DeleteTree(Path.Combine(DirectoryOf(record.Id), "work"));
    }
}
