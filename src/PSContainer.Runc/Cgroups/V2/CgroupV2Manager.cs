using PSContainer.Interop.Linux;
using PSContainer.Oci;

namespace PSContainer.Runc.Cgroups.V2;

/// <summary>cgroup v2 (unified hosts): one directory holding every controller's files.</summary>
public sealed partial class CgroupV2Manager : CgroupManagerBase
{
    private readonly CgroupHierarchy _hierarchy;
    private readonly string _directory;
    private readonly Dictionary<string, string> _paths;

    public CgroupV2Manager(CgroupHierarchy unified, string path, CgroupOptions options) : base(path, options)
    {
        _hierarchy = unified;
        _directory = unified.DirectoryOf(path);
        _paths = new(StringComparer.Ordinal) { [""] = _directory };
    }

    public override int Version => 2;

    public override IReadOnlyDictionary<string, string> Paths => _paths;

    /// <summary>The container's cgroup directory.</summary>
    public string Directory => _directory;

    private protected override string PrimaryDirectory => _directory;

    private protected override IReadOnlyList<(CgroupHierarchy Hierarchy, string Directory)> Directories => [(_hierarchy, _directory)];

    public override void Create()
    {
        // Controllers must be enabled in every ancestor's cgroup.subtree_control before the
        // container's directory gets their files, so enable them top down as the tree is made.
        EnableControllers(_hierarchy.MountPoint);
        MakeTree(_hierarchy, _directory, directory =>
        {
            if (directory != _directory)
            {
                EnableControllers(directory);
            }
        });
    }

    /// <summary>Writes "+cpu +memory ..." (what the directory offers) to its cgroup.subtree_control.</summary>
    private void EnableControllers(string directory)
    {
        if (!Has(directory, "cgroup.controllers"))
        {
            return;
        }
        var available = Read(directory, "cgroup.controllers").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var enabled = Has(directory, "cgroup.subtree_control")
            ? Read(directory, "cgroup.subtree_control").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];
        var missing = available.Except(enabled, StringComparer.Ordinal).ToList();
        if (missing.Count == 0)
        {
            return;
        }
        try
        {
            Write(directory, "cgroup.subtree_control", string.Join(' ', missing.Select(c => "+" + c)));
        }
        catch (SyscallException)
        {
            // One controller can refuse (a threaded subtree, tasks in an inner node): take the rest one by one.
            foreach (var controller in missing)
            {
                try
                {
                    Write(directory, "cgroup.subtree_control", "+" + controller);
                }
                catch (SyscallException e)
                {
                    Options.Debug?.Invoke($"cgroup v2: controller {controller} not enabled: {e.Message}");
                }
            }
        }
    }

    public override void Freeze() => SetFrozen(true);

    public override void Thaw() => SetFrozen(false);

    private void SetFrozen(bool frozen)
    {
        if (!Has(_directory, "cgroup.freeze"))
        {
            throw new CgroupConfigException($"{System.IO.Path.Combine(_directory, "cgroup.freeze")} is missing: the cgroup v2 freezer needs Linux 5.2 or newer");
        }
        Write(_directory, "cgroup.freeze", frozen ? "1" : "0");
        var wanted = frozen ? 1UL : 0UL;
        if (!WaitUntil(() => ReadKeyValues(_directory, "cgroup.events").GetValueOrDefault("frozen") == wanted))
        {
            if (frozen)
            {
                Write(_directory, "cgroup.freeze", "0");
            }
            throw new TimeoutException(
                $"{System.IO.Path.Combine(_directory, "cgroup.events")} did not report \"frozen {wanted}\" within {Options.Timeout.TotalSeconds:0.#}s");
        }
    }

    public override FreezerState GetFreezerState()
    {
        if (!Fs.DirectoryExists(_directory) || !Has(_directory, "cgroup.freeze"))
        {
            return FreezerState.Thawed;
        }
        var asked = Read(_directory, "cgroup.freeze").Trim() == "1";
        var frozen = ReadKeyValues(_directory, "cgroup.events").GetValueOrDefault("frozen") == 1;
        return (asked, frozen) switch
        {
            (true, true) => FreezerState.Frozen,
            (true, false) => FreezerState.Freezing,
            _ => FreezerState.Thawed,
        };
    }

    private protected override void KillAll()
    {
        // cgroup.kill (Linux 5.14) kills the whole subtree atomically, no freezing needed.
        if (Has(_directory, "cgroup.kill"))
        {
            Write(_directory, "cgroup.kill", "1");
            WaitForNoTasks();
            return;
        }
        base.KillAll();
    }

    private protected override bool TryFreezeForKill()
    {
        if (!Has(_directory, "cgroup.freeze"))
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

    public override ulong GetOomKillCount() => ReadKeyValues(_directory, "memory.events").GetValueOrDefault("oom_kill");

    private protected override ulong MemoryUsage() => ReadCounter(_directory, "memory.current");
}
