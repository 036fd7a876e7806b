using PSContainer.Engine.Core.Errdefs;
using PSContainer.Engine.Core.Metadata;

namespace PSContainer.Engine.Core.Snapshots;

/// <summary>
/// Bookkeeping shared by the snapshotters: records in <c>&lt;root&gt;/metadata/snapshots</c>, one
/// directory per snapshot in <c>&lt;root&gt;/snapshots/&lt;id&gt;</c> holding <c>fs/</c> (and <c>work/</c>
/// for overlay). A snapshot directory is built under a temporary name and renamed into place
/// before its record is written, and removed after its record is deleted, so a crash leaves at
/// worst an orphan directory, which <see cref="RemoveOrphans"/> deletes at start-up.
/// </summary>
public abstract class SnapshotterBase : ISnapshotter
{
    private readonly Lock _lock = new();
    private readonly IRecordStore<SnapshotRecord> _records;

    protected SnapshotterBase(string root)
    {
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(SnapshotsDirectory);
        _records = new MetadataStore(Path.Combine(Root, "metadata")).Collection("snapshots", SnapshotJsonContext.Default.SnapshotRecord, cacheInMemory: true);
        RemoveOrphans();
    }

    public string Root { get; }

    public abstract string Name { get; }

    protected string SnapshotsDirectory => Path.Combine(Root, "snapshots");

    protected string DirectoryOf(string id) => Path.Combine(SnapshotsDirectory, id);

    protected string FsOf(string id) => Path.Combine(DirectoryOf(id), "fs");

    public IReadOnlyList<SnapshotMount> Prepare(string key, string? parent, IReadOnlyDictionary<string, string>? labels = null) =>
        Create(key, parent, SnapshotKind.Active, labels);

    public IReadOnlyList<SnapshotMount> View(string key, string? parent, IReadOnlyDictionary<string, string>? labels = null) =>
        Create(key, parent, SnapshotKind.View, labels);

    private IReadOnlyList<SnapshotMount> Create(string key, string? parent, SnapshotKind kind, IReadOnlyDictionary<string, string>? labels)
    {
        ValidateKey(key);
        SnapshotRecord record;
        IReadOnlyList<SnapshotRecord> chain;
        lock (_lock)
        {
            if (_records.Get(key) is not null)
            {
                throw CoreException.AlreadyExists($"snapshot {key}: already exists");
            }
            chain = parent is null ? [] : Chain(parent);
            if (chain.Count > 0 && chain[0].Kind != SnapshotKind.Committed)
            {
                throw CoreException.InvalidArgument($"snapshot {key}: parent {parent} is not committed");
            }
            var id = NewId();
            var temp = Path.Combine(SnapshotsDirectory, ".new-" + id);
            try
            {
                Directory.CreateDirectory(temp);
                CreateLayout(temp, kind, chain);
                Directory.Move(temp, DirectoryOf(id));
            }
            catch
            {
                DeleteTree(temp);
                throw;
            }
            var now = DateTimeOffset.UtcNow;
            record = new SnapshotRecord
            {
                Key = key,
                Id = id,
                Kind = kind,
                Parent = parent,
                Created = now,
                Updated = now,
                Labels = labels is null ? [] : new Dictionary<string, string>(labels),
            };
            _records.Put(key, record);
        }
        return MountsOf(record, chain);
    }

    public IReadOnlyList<SnapshotMount> Mounts(string key)
    {
        lock (_lock)
        {
            var record = Get(key);
            if (record.Kind == SnapshotKind.Committed)
            {
                throw CoreException.InvalidArgument($"snapshot {key}: committed snapshots have no mounts; view or prepare on top of it");
            }
            return MountsOf(record, record.Parent is null ? [] : Chain(record.Parent));
        }
    }

    public void Commit(string name, string key, IReadOnlyDictionary<string, string>? labels = null)
    {
        ValidateKey(name);
        lock (_lock)
        {
            var record = Get(key);
            if (record.Kind != SnapshotKind.Active)
            {
                throw CoreException.FailedPrecondition($"snapshot {key}: only an active snapshot can be committed (it is {record.Kind})");
            }
            if (_records.Get(name) is not null)
            {
                throw CoreException.AlreadyExists($"snapshot {name}: already exists");
            }
            OnCommit(record);
            var committed = new SnapshotRecord
            {
                Key = name,
                Id = record.Id,
                Kind = SnapshotKind.Committed,
                Parent = record.Parent,
                Created = record.Created,
                Updated = DateTimeOffset.UtcNow,
                Labels = labels is null ? record.Labels : new Dictionary<string, string>(labels),
            };
            // New name first, then the old one: a crash in between leaves two records of one
            // directory, and the active one is an ordinary leftover that GC removes by key.
            _records.Put(name, committed);
            _records.Delete(key);
        }
    }

    public void Remove(string key)
    {
        string id;
        lock (_lock)
        {
            var record = Get(key);
            var child = _records.List().FirstOrDefault(r => r.Value.Parent == key);
            if (child.Value is not null)
            {
                throw CoreException.FailedPrecondition($"snapshot {key}: cannot remove, snapshot {child.Key} is based on it");
            }
            id = record.Id;
            _records.Delete(key);
            if (_records.List().Any(r => r.Value.Id == id))
            {
                return; // the crash leftover described in Commit: the directory is still used
            }
        }
        DeleteTree(DirectoryOf(id));
    }

    public SnapshotInfo Stat(string key)
    {
        lock (_lock)
        {
            return Get(key).ToInfo();
        }
    }

    public SnapshotInfo UpdateLabels(string key, IReadOnlyDictionary<string, string?> changes)
    {
        lock (_lock)
        {
            var record = Get(key);
            foreach (var (name, value) in changes)
            {
                if (value is null)
                {
                    record.Labels.Remove(name);
                }
                else
                {
                    record.Labels[name] = value;
                }
            }
            record.Updated = DateTimeOffset.UtcNow;
            _records.Put(key, record);
            return record.ToInfo();
        }
    }

    public SnapshotUsage Usage(string key)
    {
        string id;
        lock (_lock)
        {
            id = Get(key).Id;
        }
        return DiskUsage.Of(FsOf(id));
    }

    public long DiffSize(string key)
    {
        string own;
        string? parent;
        lock (_lock)
        {
            var record = Get(key);
            own = FsOf(record.Id);
            parent = record.Parent is null ? null : FsOf(Get(record.Parent).Id);
        }
        var size = DiskUsage.Measure(own).ApparentBytes;
        return KeepsFullTrees && parent is not null ? Math.Max(0, size - DiskUsage.Measure(parent).ApparentBytes) : size;
    }

    /// <summary>
    /// Does a snapshot's fs/ hold the whole tree (parents' content copied in) rather than its own
    /// layer only? Then a layer's size is what it adds over its parent's tree, an estimate (a layer
    /// that replaces or deletes files counts the net change, never below 0).
    /// </summary>
    protected virtual bool KeepsFullTrees => false;

    public IReadOnlyList<SnapshotInfo> Walk()
    {
        lock (_lock)
        {
            return [.. _records.List().Select(r => r.Value.ToInfo())];
        }
    }

    public ApplyTarget ApplyTargetOf(string key)
    {
        lock (_lock)
        {
            var record = Get(key);
            if (record.Kind != SnapshotKind.Active)
            {
                throw CoreException.FailedPrecondition($"snapshot {key}: layers can only be applied to an active snapshot");
            }
            var chain = record.Parent is null ? [] : Chain(record.Parent);
            return ApplyTargetOf(record, chain);
        }
    }

    public IReadOnlyList<string> LayerDirectories(string key)
    {
        lock (_lock)
        {
            var record = Get(key);
            var chain = record.Parent is null ? [] : Chain(record.Parent);
            return [FsOf(record.Id), .. chain.Select(r => FsOf(r.Id))];
        }
    }

    /// <summary>Creates fs/ (and whatever else) for a new snapshot in <paramref name="directory"/>.</summary>
    protected abstract void CreateLayout(string directory, SnapshotKind kind, IReadOnlyList<SnapshotRecord> parents);

    protected abstract IReadOnlyList<SnapshotMount> MountsOf(SnapshotRecord record, IReadOnlyList<SnapshotRecord> parents);

    protected abstract ApplyTarget ApplyTargetOf(SnapshotRecord record, IReadOnlyList<SnapshotRecord> parents);

    protected virtual void OnCommit(SnapshotRecord record)
    {
    }

    private SnapshotRecord Get(string key) =>
        _records.Get(key) ?? throw CoreException.NotFound($"snapshot {key}: not found");

    /// <summary>The snapshot <paramref name="key"/> and its ancestors, nearest first.</summary>
    private List<SnapshotRecord> Chain(string key)
    {
        var chain = new List<SnapshotRecord>();
        for (string? current = key; current is not null;)
        {
            var record = _records.Get(current) ?? throw CoreException.NotFound($"snapshot {current}: not found (parent chain of {key})");
            chain.Add(record);
            current = record.Parent;
        }
        return chain;
    }

    private void RemoveOrphans()
    {
        var used = _records.List().Select(r => r.Value.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var dir in Directory.EnumerateDirectories(SnapshotsDirectory))
        {
            if (!used.Contains(Path.GetFileName(dir)))
            {
                DeleteTree(dir);
            }
        }
    }

    private string NewId()
    {
        string id;
        do
        {
            id = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        }
        while (Directory.Exists(DirectoryOf(id)));
        return id;
    }

    private static void ValidateKey(string key)
    {
        if (string.IsNullOrWhiteSpace(key))
        {
            throw CoreException.InvalidArgument("snapshot key must not be empty");
        }
    }

    /// <summary>Deletes a directory tree, clearing immutable-looking modes that would stop it.</summary>
    protected static void DeleteTree(string path)
    {
        if (!Directory.Exists(path))
        {
            return;
        }
        Diff.FileTree.DeleteRecursive(path);
    }
}
