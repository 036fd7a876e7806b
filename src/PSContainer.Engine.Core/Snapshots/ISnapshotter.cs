namespace PSContainer.Engine.Core.Snapshots;

/// <summary>
/// Filesystem snapshots (containerd's snapshotter model). A snapshot is Active (writable, made by
/// <see cref="Prepare"/>), View (read-only, made by <see cref="View"/>) or Committed (immutable,
/// made by <see cref="Commit"/> from an Active one, and the only kind that can be a parent).
/// Keys are caller-chosen strings; image layers use their chain id as the committed name, so a
/// layer shared by several images is unpacked once.
/// </summary>
public interface ISnapshotter
{
    /// <summary>"overlayfs" or "native" (the copying one), as Docker reports it in /info.</summary>
    string Name { get; }

    /// <summary>Creates an Active snapshot on top of the committed <paramref name="parent"/> (or empty) and returns its mounts.</summary>
    IReadOnlyList<SnapshotMount> Prepare(string key, string? parent, IReadOnlyDictionary<string, string>? labels = null);

    /// <summary>Creates a read-only View of the committed <paramref name="parent"/> and returns its mounts.</summary>
    IReadOnlyList<SnapshotMount> View(string key, string? parent, IReadOnlyDictionary<string, string>? labels = null);

    /// <summary>The mounts of an Active or View snapshot.</summary>
    IReadOnlyList<SnapshotMount> Mounts(string key);

    /// <summary>Turns the Active snapshot <paramref name="key"/> into the Committed snapshot <paramref name="name"/>.</summary>
    void Commit(string name, string key, IReadOnlyDictionary<string, string>? labels = null);

    /// <summary>Removes a snapshot; FailedPrecondition when it is the parent of another one.</summary>
    void Remove(string key);

    SnapshotInfo Stat(string key);

    /// <summary>Replaces the labels (null values remove) and returns the new info.</summary>
    SnapshotInfo UpdateLabels(string key, IReadOnlyDictionary<string, string?> changes);

    /// <summary>Disk use of the snapshot's own layer (not its parents).</summary>
    SnapshotUsage Usage(string key);

    /// <summary>
    /// Bytes of content the snapshot's own layer holds: file lengths, directories not counted,
    /// hard links once (Docker's layer DiffSize, what `docker history` shows).
    /// </summary>
    long DiffSize(string key);

    IReadOnlyList<SnapshotInfo> Walk();

    /// <summary>
    /// The directory a layer is applied into for <paramref name="key"/> (an Active snapshot), with
    /// the whiteout format that directory needs. For overlay it is the upper directory, written
    /// without a mount; for the copy snapshotter it is the full tree.
    /// </summary>
    ApplyTarget ApplyTargetOf(string key);

    /// <summary>
    /// The directories of a snapshot's layers, own layer first, then its parents nearest first
    /// (used to compute changes and to read a committed snapshot without mounting).
    /// </summary>
    IReadOnlyList<string> LayerDirectories(string key);
}

public enum SnapshotKind
{
    View,
    Active,
    Committed,
}

public sealed record SnapshotInfo(
    string Name,
    string? Parent,
    SnapshotKind Kind,
    DateTimeOffset Created,
    DateTimeOffset Updated,
    IReadOnlyDictionary<string, string> Labels);

public sealed record SnapshotUsage(long Size, long Inodes);

/// <summary>
/// One mount to perform (containerd's mount.Mount): type "overlay" or "bind", a source and
/// options such as "ro", "rbind", "lowerdir=…", "upperdir=…", "workdir=…".
/// </summary>
public sealed record SnapshotMount(string Type, string Source, IReadOnlyList<string> Options)
{
    /// <summary>Equal when type, source and the options (in order) are equal.</summary>
    public bool Equals(SnapshotMount? other) =>
        other is not null && Type == other.Type && Source == other.Source && Options.SequenceEqual(other.Options);

    public override int GetHashCode() => HashCode.Combine(Type, Source, Options.Count);

    public override string ToString() => $"{Type} {Source} {string.Join(',', Options)}";
}

/// <summary>How deletions must be recorded in an apply directory.</summary>
public enum WhiteoutFormat
{
    /// <summary>Delete the path (the directory is the complete tree).</summary>
    Delete,

    /// <summary>Record overlayfs whiteouts (char device 0/0) and opaque directories (trusted.overlay.opaque=y).</summary>
    Overlay,
}

/// <param name="Directory">Where the layer's files go.</param>
/// <param name="Format">How whiteouts and opaque directories are represented there.</param>
/// <param name="LowerDirectories">Lower layers, nearest first, for lookups a layer needs (overlay only).</param>
public sealed record ApplyTarget(string Directory, WhiteoutFormat Format, IReadOnlyList<string> LowerDirectories);

/// <summary>Label keys the snapshotters and the GC understand.</summary>
public static class SnapshotLabels
{
    /// <summary>A snapshot carrying this label is a GC root.</summary>
    public const string GcRoot = "containerd.io/gc.root";

    /// <summary>The uncompressed digest of the layer a committed snapshot was unpacked from.</summary>
    public const string DiffId = "pscontainer/diff-id";
}
