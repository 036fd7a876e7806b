using System.Text.Json;
using PSContainer.Engine.Core.Diff;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.Engine.Core.Metadata;
using PSContainer.Interop.Linux;

namespace PSContainer.Engine.Core.Volumes;

/// <summary>A volume as the store sees it: its record and the host directory containers mount.</summary>
public sealed record VolumeInfo(VolumeRecord Record, string Mountpoint)
{
    public string Name => Record.Name;
}

/// <summary>
/// Docker's <c>local</c> volume driver: &lt;root&gt;/&lt;name&gt;/_data plus volume.json per volume,
/// made in a hidden temp directory and renamed into place (a failed create leaves nothing; a
/// crash leaves either no volume or a whole one). Tracks who uses each volume: references
/// (containers that have it in their mounts, which keep it from removal) and active mounts
/// (running containers; a volume with driver options is mounted while it has any). Neither is
/// persisted: the daemon restores them from its containers at start-up (<see cref="Restore"/>).
/// </summary>
public sealed class LocalVolumeStore
{
    public const string DriverName = "local";
    private const string DataDirectory = "_data";
    private const string RecordFile = "volume.json";
    private const string TempPrefix = ".tmp-";
    private const string RemovedPrefix = ".rm-";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, VolumeRecord> _records = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _users = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _active = new(StringComparer.Ordinal);
    private readonly Func<string, bool>? _fileSystemKnown;

    public LocalVolumeStore(string root, Func<string, bool>? fileSystemKnown = null)
    {
        Root = Path.GetFullPath(root);
        _fileSystemKnown = fileSystemKnown;
        Directory.CreateDirectory(Root);
        Libc.Check(Libc.fchmodat(Libc.AT_FDCWD, Root, 0x1C1 /* 0701: others may reach _data, not list volumes */, 0), "chmod", Root);
        foreach (var entry in Directory.EnumerateDirectories(Root))
        {
            var name = Path.GetFileName(entry);
            if (name.StartsWith(TempPrefix, StringComparison.Ordinal) || name.StartsWith(RemovedPrefix, StringComparison.Ordinal))
            {
                // A create or removal interrupted by a crash; nothing can be mounted there.
                if (MountTable.At(entry).Count == 0)
                {
                    FileTree.DeleteRecursive(entry);
                }
                continue;
            }
            if (VolumeNames.IsValid(name) && Directory.Exists(Path.Combine(entry, DataDirectory)))
            {
                _records[name] = Load(entry, name);
            }
        }
    }

    public string Root { get; }

    public string MountpointOf(string name) => Path.Combine(Root, name, DataDirectory);

    /// <summary>
    /// Creates a volume, or returns the existing one of that name (Docker's create is idempotent;
    /// the existing volume keeps its labels and options). Bad names or options: InvalidArgument.
    /// </summary>
    public (VolumeInfo Volume, bool Created) Create(string name, IReadOnlyDictionary<string, string>? labels,
        IReadOnlyDictionary<string, string>? options, bool anonymous = false, string? driver = null)
    {
        lock (_lock)
        {
            return CreateLocked(name, labels, options, anonymous, driver);
        }
    }

    /// <summary>Creates the volume if needed and records <paramref name="user"/> as using it, in one step (no prune in between).</summary>
    public (VolumeInfo Volume, bool Created) CreateAndReference(string name, string user, IReadOnlyDictionary<string, string>? labels,
        IReadOnlyDictionary<string, string>? options, bool anonymous = false, string? driver = null)
    {
        lock (_lock)
        {
            var result = CreateLocked(name, labels, options, anonymous, driver);
            Users(name).Add(user);
            return result;
        }
    }

    private (VolumeInfo, bool) CreateLocked(string name, IReadOnlyDictionary<string, string>? labels,
        IReadOnlyDictionary<string, string>? options, bool anonymous, string? driver)
    {
        VolumeNames.Validate(name);
        driver = string.IsNullOrEmpty(driver) ? DriverName : driver;
        if (_records.TryGetValue(name, out var existing))
        {
            if (existing.Driver != driver)
            {
                throw CoreException.Conflict($"a volume named {name} already exists with the {existing.Driver} driver. Choose a different volume name");
            }
            return (Info(existing), false);
        }
        if (driver != DriverName)
        {
            throw CoreException.InvalidArgument($"volume driver \"{driver}\" is not supported: only the \"{DriverName}\" driver is available");
        }
        _ = LocalVolumeOptions.Parse(options, _fileSystemKnown);
        var record = new VolumeRecord
        {
            Name = name,
            Driver = driver,
            CreatedAt = DateTimeOffset.UtcNow,
            Labels = new Dictionary<string, string>(labels ?? new Dictionary<string, string>(), StringComparer.Ordinal),
            Options = new Dictionary<string, string>(options ?? new Dictionary<string, string>(), StringComparer.Ordinal),
            Anonymous = anonymous,
        };
        if (anonymous)
        {
            record.Labels.TryAdd(VolumeNames.AnonymousLabel, "");
        }
        var temp = Path.Combine(Root, TempPrefix + Guid.NewGuid().ToString("N"));
        var final = Path.Combine(Root, name);
        try
        {
            Libc.Check(Libc.mkdirat(Libc.AT_FDCWD, temp, 0x1C1 /* 0701 */), "mkdir", temp);
            var data = Path.Combine(temp, DataDirectory);
            Libc.Check(Libc.mkdirat(Libc.AT_FDCWD, data, 0x1ED /* 0755 */), "mkdir", data);
            AtomicFile.WriteAllBytes(Path.Combine(temp, RecordFile), JsonSerializer.SerializeToUtf8Bytes(record, VolumeJsonContext.Default.VolumeRecord));
            if (Path.Exists(final))
            {
                throw CoreException.Conflict($"create {name}: {final} exists but is not a volume; remove it or choose another name");
            }
            Libc.Check(Libc.renameat(Libc.AT_FDCWD, temp, Libc.AT_FDCWD, final), "rename", final);
            AtomicFile.FsyncDirectory(Root);
        }
        catch
        {
            if (Directory.Exists(temp))
            {
                FileTree.DeleteRecursive(temp);
            }
            throw;
        }
        _records[name] = record;
        return (Info(record), true);
    }

    public VolumeInfo Get(string name) =>
        TryGet(name, out var volume) ? volume : throw CoreException.NotFound($"get {name}: no such volume");

    public bool TryGet(string name, out VolumeInfo volume)
    {
        lock (_lock)
        {
            if (_records.TryGetValue(name, out var record))
            {
                volume = Info(record);
                return true;
            }
        }
        volume = null!;
        return false;
    }

    public IReadOnlyList<VolumeInfo> List()
    {
        lock (_lock)
        {
            return [.. _records.Values.OrderBy(r => r.Name, StringComparer.Ordinal).Select(Info)];
        }
    }

    /// <summary>The containers that reference the volume (sorted).</summary>
    public IReadOnlyList<string> UsersOf(string name)
    {
        lock (_lock)
        {
            return _users.TryGetValue(name, out var users) ? [.. users.Order(StringComparer.Ordinal)] : [];
        }
    }

    /// <summary>Records that <paramref name="user"/> uses an existing volume (NotFound otherwise).</summary>
    public void Reference(string name, string user)
    {
        lock (_lock)
        {
            if (!_records.ContainsKey(name))
            {
                throw CoreException.NotFound($"get {name}: no such volume");
            }
            Users(name).Add(user);
        }
    }

    /// <summary>Forgets <paramref name="user"/>'s reference (and active mount); returns whether anyone still uses the volume.</summary>
    public bool Release(string name, string user)
    {
        lock (_lock)
        {
            _ = UnmountLocked(name, user);
            if (_users.TryGetValue(name, out var users))
            {
                users.Remove(user);
                if (users.Count == 0)
                {
                    _users.Remove(name);
                    return false;
                }
                return true;
            }
            return false;
        }
    }

    /// <summary>
    /// Makes the volume ready for a running user and returns the directory to bind: a volume with
    /// driver options is mounted when its first user starts.
    /// </summary>
    public string Mount(string name, string user)
    {
        lock (_lock)
        {
            var record = _records.TryGetValue(name, out var r) ? r : throw CoreException.NotFound($"get {name}: no such volume");
            var active = _active.TryGetValue(name, out var set) ? set : _active[name] = new HashSet<string>(StringComparer.Ordinal);
            var data = MountpointOf(name);
            if (active.Count == 0 && LocalVolumeOptions.Parse(record.Options, _fileSystemKnown) is { } options && !MountTable.IsMountPoint(data))
            {
                try
                {
                    MountFileSystem(options, data);
                }
                catch
                {
                    if (active.Count == 0)
                    {
                        _active.Remove(name);
                    }
                    throw;
                }
            }
            active.Add(user);
            return data;
        }
    }

    /// <summary>
    /// The user stopped: the last one out unmounts a volume with driver options. Idempotent;
    /// returns whether <paramref name="user"/> was an active user.
    /// </summary>
    public bool Unmount(string name, string user)
    {
        lock (_lock)
        {
            return UnmountLocked(name, user);
        }
    }

    private bool UnmountLocked(string name, string user)
    {
        if (!_active.TryGetValue(name, out var active) || !active.Remove(user))
        {
            return false;
        }
        if (active.Count == 0)
        {
            _active.Remove(name);
            UnmountIfMounted(name);
        }
        return true;
    }

    /// <summary>
    /// At start-up: who references which volume and which users run (their volumes stay mounted).
    /// A volume that is mounted but has no running user (its containers stopped while the engine
    /// was away) is unmounted.
    /// </summary>
    public void Restore(IEnumerable<(string Volume, string User, bool Running)> uses)
    {
        lock (_lock)
        {
            _users.Clear();
            _active.Clear();
            foreach (var (volume, user, running) in uses)
            {
                if (!_records.ContainsKey(volume))
                {
                    continue; // removed by hand; the container's start will report it
                }
                Users(volume).Add(user);
                if (running)
                {
                    (_active.TryGetValue(volume, out var set) ? set : _active[volume] = new HashSet<string>(StringComparer.Ordinal)).Add(user);
                }
            }
            foreach (var name in _records.Keys.Where(n => !_active.ContainsKey(n)))
            {
                UnmountIfMounted(name);
            }
        }
    }

    /// <summary>
    /// Removes an unused volume and its data. In use: Conflict "remove NAME: volume is in use - [ids]".
    /// Anything still mounted below it is unmounted first and, if that fails, the removal is
    /// refused rather than deleting through a mount (a bind-backed volume's host directory).
    /// </summary>
    public void Remove(string name)
    {
        string removed;
        lock (_lock)
        {
            if (!_records.ContainsKey(name))
            {
                throw CoreException.NotFound($"get {name}: no such volume");
            }
            if (_users.TryGetValue(name, out var users) && users.Count > 0)
            {
                throw CoreException.Conflict($"remove {name}: volume is in use - [{string.Join(", ", users.Order(StringComparer.Ordinal))}]");
            }
            var directory = Path.Combine(Root, name);
            UnmountIfMounted(name);
            if (MountTable.At(directory) is { Count: > 0 } mounted)
            {
                throw CoreException.FailedPrecondition($"remove {name}: {string.Join(", ", mounted)} is still mounted");
            }
            removed = Path.Combine(Root, RemovedPrefix + Guid.NewGuid().ToString("N"));
            Libc.Check(Libc.renameat(Libc.AT_FDCWD, directory, Libc.AT_FDCWD, removed), "rename", directory);
            AtomicFile.FsyncDirectory(Root);
            _records.Remove(name);
            _active.Remove(name);
        }
        FileTree.DeleteRecursive(removed);
    }

    /// <summary>Apparent size of the volume's data in bytes (hard links once), as `docker system df` shows it.</summary>
    public long Size(string name) => Snapshots.DiskUsage.Measure(MountpointOf(name)).ApparentBytes;

    private HashSet<string> Users(string name) =>
        _users.TryGetValue(name, out var set) ? set : _users[name] = new HashSet<string>(StringComparer.Ordinal);

    private VolumeInfo Info(VolumeRecord record) => new(record, MountpointOf(record.Name));

    private static void MountFileSystem(LocalVolumeOptions options, string target)
    {
        var what = $"mount {options.Device} ({options.Type}{(options.Mount.Data.Length > 0 ? ", " + options.Mount.Data : "")})";
        if (options.Mount.IsBind)
        {
            var bindFlags = options.Mount.Flags & ~0x1UL; // read-only needs a remount after a bind
            Libc.Check(Libc.mount(options.Device, target, null, bindFlags, null), what, target);
            if (options.Mount.ReadOnly)
            {
                Libc.Check(Libc.mount(null, target, null, Libc.MS_REMOUNT | Libc.MS_BIND | Libc.MS_RDONLY, null), "remount read-only", target);
            }
            return;
        }
        Libc.Check(Libc.mount(options.Device, target, options.Type, options.Mount.Flags, options.Mount.Data.Length > 0 ? options.Mount.Data : null), what, target);
    }

    private void UnmountIfMounted(string name)
    {
        var data = MountpointOf(name);
        // Several mounts may be stacked (a crash between mount and bookkeeping): take them all.
        for (var i = 0; i < 16 && MountTable.IsMountPoint(data); i++)
        {
            Libc.Check(Libc.umount2(data, Libc.MNT_DETACH), "unmount", data);
        }
    }

    private static VolumeRecord Load(string directory, string name)
    {
        var path = Path.Combine(directory, RecordFile);
        if (File.Exists(path))
        {
            try
            {
                var record = JsonSerializer.Deserialize(File.ReadAllBytes(path), VolumeJsonContext.Default.VolumeRecord);
                if (record is not null && record.Name == name)
                {
                    return record;
                }
            }
            catch (JsonException e)
            {
                throw CoreException.DataCorrupted($"volume record {path}: {e.Message}");
            }
        }
        // A directory volume from before volume records existed: adopt it with what the disk tells.
        var adopted = new VolumeRecord { Name = name, CreatedAt = Directory.GetCreationTimeUtc(Path.Combine(directory, DataDirectory)) };
        AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(adopted, VolumeJsonContext.Default.VolumeRecord));
        return adopted;
    }
}
