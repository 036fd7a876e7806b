using PSContainer.Engine.Core.Diff;

namespace PSContainer.Engine.Core.Snapshots;

/// <summary>
/// Snapshots by copying, for machines without overlayfs (containerd's "native"): an active
/// snapshot starts as a full copy of its parent (hard links, devices, owners, modes, times and
/// xattrs preserved); committed snapshots are immutable, so a view is a read-only bind mount of
/// its parent's tree and costs nothing.
/// </summary>
public sealed class NativeSnapshotter : SnapshotterBase
{
    public NativeSnapshotter(string root)
        : base(root)
    {
    }

    public override string Name => "native";

    protected override bool KeepsFullTrees => true;

    protected override void CreateLayout(string directory, SnapshotKind kind, IReadOnlyList<SnapshotRecord> parents)
    {
        var fs = Path.Combine(directory, "fs");
        if (kind == SnapshotKind.Active && parents.Count > 0)
        {
            FileTree.Copy(FsOf(parents[0].Id), fs);
        }
        else
        {
            Directory.CreateDirectory(fs);
        }
    }

    protected override IReadOnlyList<SnapshotMount> MountsOf(SnapshotRecord record, IReadOnlyList<SnapshotRecord> parents)
    {
        if (record.Kind == SnapshotKind.View && parents.Count > 0)
        {
            return [new SnapshotMount("bind", FsOf(parents[0].Id), ["ro", "rbind"])];
        }
        return [new SnapshotMount("bind", FsOf(record.Id), record.Kind == SnapshotKind.View ? ["ro", "rbind"] : ["rw", "rbind"])];
    }

    protected override ApplyTarget ApplyTargetOf(SnapshotRecord record, IReadOnlyList<SnapshotRecord> parents) =>
        new(FsOf(record.Id), WhiteoutFormat.Delete, []);
}
