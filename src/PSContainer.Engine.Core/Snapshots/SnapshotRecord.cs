namespace PSContainer.Engine.Core.Snapshots;

/// <summary>What a snapshotter persists per snapshot (metadata collection "snapshots").</summary>
public sealed class SnapshotRecord
{
    public string Key { get; set; } = "";

    /// <summary>The directory name under snapshots/: stays the same across Commit.</summary>
    public string Id { get; set; } = "";

    public SnapshotKind Kind { get; set; }

    public string? Parent { get; set; }

    public DateTimeOffset Created { get; set; }

    public DateTimeOffset Updated { get; set; }

    public Dictionary<string, string> Labels { get; set; } = [];

    public SnapshotInfo ToInfo() => new(Key, Parent, Kind, Created, Updated, Labels);
}
