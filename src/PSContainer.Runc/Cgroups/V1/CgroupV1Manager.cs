using PSContainer.Oci;

namespace PSContainer.Runc.Cgroups.V1;

/// <summary>
/// cgroup v1 (legacy and hybrid hosts): one directory per mounted hierarchy, plus the named
/// systemd hierarchy and, on hybrid hosts, the cgroup2 tree, which get the process but no limits.
/// </summary>
public sealed partial class CgroupV1Manager : CgroupManagerBase
{
    private readonly CgroupLayout _layout;
    private readonly Dictionary<string, string> _paths = new(StringComparer.Ordinal);
    private readonly List<(CgroupHierarchy, string)> _directories = [];

    public CgroupV1Manager(CgroupLayout layout, string path, CgroupOptions options) : base(path, options)
    {
        _layout = layout;
        foreach (var hierarchy in layout.V1Hierarchies)
        {
            var directory = hierarchy.DirectoryOf(path);
            _directories.Add((hierarchy, directory));
            foreach (var controller in hierarchy.Controllers)
            {
                _paths[controller] = directory;
            }
        }
        if (layout.Unified is { } unified)
        {
            var directory = unified.DirectoryOf(path);
            _directories.Add((unified, directory));
            _paths[""] = directory;
        }
    }

    public override int Version => 1;

    public override IReadOnlyDictionary<string, string> Paths => _paths;

    private protected override IReadOnlyList<(CgroupHierarchy Hierarchy, string Directory)> Directories => _directories;

    private protected override string PrimaryDirectory =>
        _paths.GetValueOrDefault("pids") ?? _paths.GetValueOrDefault("memory") ?? _paths.GetValueOrDefault("freezer") ?? _directories[0].Item2;

    public override void Create()
    {
        var made = new List<string>();
        try
        {
            foreach (var (hierarchy, directory) in _directories)
            {
                made.AddRange(hierarchy.Controllers.Contains("cpuset")
                    ? MakeTree(hierarchy, directory, InheritCpuset)
                    : MakeTree(hierarchy, directory));
            }
        }
        catch
        {
            RemoveMade(made);
            throw;
        }
    }

    /// <summary>
    /// A new v1 cpuset cgroup starts with empty cpuset.cpus and cpuset.mems, and the kernel refuses
    /// tasks until both are set; copy them from the parent (which was handled the same way).
    /// </summary>
    private void InheritCpuset(string directory)
    {
        var parent = System.IO.Path.GetDirectoryName(directory)!;
        foreach (var file in (ReadOnlySpan<string>)["cpuset.cpus", "cpuset.mems"])
        {
            if (Read(directory, file).Trim().Length == 0)
            {
                var inherited = Read(parent, file).Trim();
                if (inherited.Length == 0)
                {
                    throw new CgroupConfigException($"cannot initialise {System.IO.Path.Combine(directory, file)}: {System.IO.Path.Combine(parent, file)} is empty too");
                }
                Write(directory, file, inherited);
            }
        }
    }

    private string Directory(string controller, string field) =>
        _paths.TryGetValue(controller, out var directory)
            ? directory
            : throw new CgroupConfigException($"{field}: the {controller} cgroup controller is not mounted on this host");

    public override void Freeze()
    {
        var directory = Directory("freezer", "pause");
        Write(directory, "freezer.state", "FROZEN");
        var attempts = 0;
        var frozen = WaitUntil(() =>
        {
            var state = Read(directory, "freezer.state").Trim();
            // A freeze can stall in FREEZING when a task is in an uninterruptible sleep; asking
            // again now and then makes the kernel retry the tasks it could not stop.
            if (state == "FREEZING" && ++attempts % 20 == 0)
            {
                Write(directory, "freezer.state", "FROZEN");
            }
            return state == "FROZEN";
        });
        if (!frozen)
        {
            Write(directory, "freezer.state", "THAWED");
            throw new TimeoutException(
                $"{System.IO.Path.Combine(directory, "freezer.state")} did not reach FROZEN within {Options.Timeout.TotalSeconds:0.#}s; thawed again");
        }
    }

    public override void Thaw()
    {
        var directory = Directory("freezer", "resume");
        Write(directory, "freezer.state", "THAWED");
        if (!WaitUntil(() => Read(directory, "freezer.state").Trim() == "THAWED"))
        {
            throw new TimeoutException($"{System.IO.Path.Combine(directory, "freezer.state")} did not reach THAWED");
        }
    }

    public override FreezerState GetFreezerState()
    {
        if (!_paths.TryGetValue("freezer", out var directory) || !Fs.DirectoryExists(directory))
        {
            return FreezerState.Thawed;
        }
        return Read(directory, "freezer.state").Trim() switch
        {
            "FROZEN" => FreezerState.Frozen,
            "FREEZING" => FreezerState.Freezing,
            _ => FreezerState.Thawed,
        };
    }

    private protected override bool TryFreezeForKill()
    {
        if (!_paths.ContainsKey("freezer"))
        {
            return false;
        }
        try
        {
            Freeze();
            return true;
        }
        catch (TimeoutException e)
        {
            Options.Debug?.Invoke($"killing without freezing: {e.Message}");
            return false;
        }
    }

    public override ulong GetOomKillCount() =>
        _paths.TryGetValue("memory", out var directory)
            ? ReadKeyValues(directory, "memory.oom_control").GetValueOrDefault("oom_kill")
            : 0;

    private protected override ulong MemoryUsage() => ReadCounter(Directory("memory", "linux.resources.memory"), "memory.usage_in_bytes");
}
