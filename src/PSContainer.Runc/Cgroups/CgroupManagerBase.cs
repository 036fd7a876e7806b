using System.Diagnostics;
using System.Globalization;
using PSContainer.Interop.Linux;
using PSContainer.Oci;

namespace PSContainer.Runc.Cgroups;

/// <summary>What the v1 and v2 managers share: file access with clear errors, directory trees, waiting, teardown.</summary>
public abstract class CgroupManagerBase : ICgroupManager
{
    private const int SigKill = 9;

    private protected CgroupManagerBase(string path, CgroupOptions options)
    {
        Path = path;
        Options = options;
        Fs = options.FileSystem;
    }

    public abstract int Version { get; }

    public string Path { get; }

    public abstract IReadOnlyDictionary<string, string> Paths { get; }

    private protected CgroupOptions Options { get; }

    private protected ICgroupFileSystem Fs { get; }

    /// <summary>The directory whose cgroup.procs lists the container's tasks.</summary>
    private protected abstract string PrimaryDirectory { get; }

    /// <summary>Each distinct cgroup directory of the container (one per hierarchy).</summary>
    private protected abstract IReadOnlyList<(CgroupHierarchy Hierarchy, string Directory)> Directories { get; }

    /// <summary>The container's directory in each hierarchy, in mountinfo order (what a `cgroup` mount in the container shows).</summary>
    public IReadOnlyList<(CgroupHierarchy Hierarchy, string Directory)> HierarchyDirectories => Directories;

    public abstract void Create();

    public void Apply(int pid)
    {
        if (pid <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(pid), pid, "not a process id");
        }
        foreach (var (_, directory) in Directories)
        {
            Write(directory, "cgroup.procs", CgroupValues.Format(pid));
        }
    }

    public abstract void Set(LinuxResources resources);

    public void Update(LinuxResources resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        if (resources.Memory is { CheckBeforeUpdate: true, Limit: > 0 } memory)
        {
            var usage = MemoryUsage();
            if ((ulong)memory.Limit.Value < usage)
            {
                throw new CgroupConfigException(
                    $"linux.resources.memory.limit {memory.Limit.Value} is below the current usage {usage} (checkBeforeUpdate)");
            }
        }
        Set(resources);
    }

    public abstract void Freeze();

    public abstract void Thaw();

    public abstract FreezerState GetFreezerState();

    public IReadOnlyList<int> GetPids(bool recursive = false)
    {
        var pids = new List<int>();
        Collect(PrimaryDirectory);
        return pids;

        void Collect(string directory)
        {
            if (!Fs.DirectoryExists(directory))
            {
                return;
            }
            var procs = System.IO.Path.Combine(directory, "cgroup.procs");
            foreach (var line in Fs.ReadFile(procs).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                pids.Add(int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                    ? pid
                    : throw new InvalidDataException($"{procs}: \"{line}\" is not a pid"));
            }
            if (recursive)
            {
                foreach (var child in Fs.ListDirectories(directory))
                {
                    Collect(child);
                }
            }
        }
    }

    public abstract CgroupStats GetStats();

    public abstract ulong GetOomKillCount();

    public bool Exists() => Fs.DirectoryExists(PrimaryDirectory);

    public void Destroy(bool killProcesses = false)
    {
        if (killProcesses && Exists())
        {
            KillAll();
        }
        var errors = new List<Exception>();
        foreach (var (_, directory) in Directories)
        {
            try
            {
                RemoveTree(directory);
            }
            catch (SyscallException e)
            {
                errors.Add(e);
            }
        }
        if (errors.Count == 1)
        {
            throw errors[0];
        }
        if (errors.Count > 1)
        {
            throw new AggregateException($"removing cgroup {Path}: {string.Join("; ", errors.Select(e => e.Message))}", errors);
        }
    }

    /// <summary>Stops every task: v2 cgroup.kill where the kernel has it, otherwise freeze, SIGKILL each, thaw.</summary>
    private protected virtual void KillAll()
    {
        var frozen = TryFreezeForKill();
        try
        {
            foreach (var pid in GetPids(recursive: true))
            {
                var errno = Options.Kill(pid, SigKill);
                if (errno != 0 && errno != Errno.ESRCH)
                {
                    throw new SyscallException("kill -9", CgroupValues.Format(pid), errno);
                }
            }
        }
        finally
        {
            if (frozen)
            {
                Thaw();
            }
        }
        WaitForNoTasks();
    }

    /// <summary>Freezes before killing so nothing forks in between; false when there is no freezer.</summary>
    private protected abstract bool TryFreezeForKill();

    private protected void WaitForNoTasks()
    {
        if (!WaitUntil(() => GetPids(recursive: true).Count == 0))
        {
            throw new TimeoutException($"cgroup {Path}: tasks {string.Join(",", GetPids(recursive: true))} are still there {Options.Timeout.TotalSeconds:0.#}s after SIGKILL");
        }
    }

    /// <summary>Memory in use now (for checkBeforeUpdate).</summary>
    private protected abstract ulong MemoryUsage();

    private protected void Write(string directory, string file, string value) =>
        Fs.WriteFile(System.IO.Path.Combine(directory, file), value);

    private protected string Read(string directory, string file) =>
        Fs.ReadFile(System.IO.Path.Combine(directory, file));

    private protected bool Has(string directory, string file) =>
        Fs.FileExists(System.IO.Path.Combine(directory, file));

    private protected ulong ReadCounter(string directory, string file)
    {
        var path = System.IO.Path.Combine(directory, file);
        return CgroupValues.ParseCounter(Fs.ReadFile(path), path);
    }

    /// <summary>A counter, or 0 when the file does not exist (optional kernel features).</summary>
    private protected ulong ReadCounterOrZero(string directory, string file) =>
        Has(directory, file) ? ReadCounter(directory, file) : 0;

    private protected Dictionary<string, ulong> ReadKeyValues(string directory, string file)
    {
        var path = System.IO.Path.Combine(directory, file);
        return Fs.FileExists(path) ? CgroupValues.ParseKeyValues(Fs.ReadFile(path), path) : [];
    }

    /// <summary>
    /// Creates <paramref name="directory"/> and the missing directories between it and the mount
    /// point, top down, calling <paramref name="initialise"/> for each directory this call made
    /// (parent first), and returns those directories so a failure can remove them again.
    /// </summary>
    private protected List<string> MakeTree(CgroupHierarchy hierarchy, string directory, Action<string>? initialise = null)
    {
        var made = new List<string>();
        var relative = System.IO.Path.GetRelativePath(hierarchy.MountPoint, directory);
        var current = hierarchy.MountPoint;
        if (relative == ".")
        {
            return made;
        }
        try
        {
            foreach (var part in relative.Split('/'))
            {
                current = System.IO.Path.Combine(current, part);
                var existed = Fs.DirectoryExists(current);
                Fs.CreateDirectory(current);
                if (!existed)
                {
                    made.Add(current);
                }
                initialise?.Invoke(current);
            }
        }
        catch
        {
            RemoveMade(made);
            throw;
        }
        return made;
    }

    /// <summary>Removes directories made by a failed <see cref="Create"/>, newest first, ignoring errors (the original error matters).</summary>
    private protected void RemoveMade(List<string> made)
    {
        for (var i = made.Count - 1; i >= 0; i--)
        {
            try
            {
                Fs.RemoveDirectory(made[i]);
            }
            catch (SyscallException e)
            {
                Options.Debug?.Invoke($"cgroup cleanup: {e.Message}");
            }
        }
    }

    /// <summary>rmdir of a cgroup and its children, deepest first, retrying while the kernel says EBUSY.</summary>
    private protected void RemoveTree(string directory)
    {
        if (!Fs.DirectoryExists(directory))
        {
            return;
        }
        foreach (var child in Fs.ListDirectories(directory))
        {
            RemoveTree(child);
        }
        var delay = TimeSpan.FromMilliseconds(5);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                Fs.RemoveDirectory(directory);
                return;
            }
            catch (SyscallException e) when (e.Errno == Errno.ENOENT)
            {
                return;
            }
            catch (SyscallException e) when (e.Errno == Errno.EBUSY && clock.Elapsed < Options.Timeout)
            {
                // Tasks that just died can hold the cgroup for a moment while the kernel reaps them.
                Thread.Sleep(delay);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMilliseconds(200).Ticks));
            }
        }
    }

    /// <summary>Polls <paramref name="condition"/> with a growing pause until it holds or <see cref="CgroupOptions.Timeout"/> passes.</summary>
    private protected bool WaitUntil(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        var delay = TimeSpan.FromMilliseconds(1);
        while (!condition())
        {
            if (clock.Elapsed >= Options.Timeout)
            {
                return condition();
            }
            Thread.Sleep(delay);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMilliseconds(100).Ticks));
        }
        return true;
    }

    private protected static bool IsSet(long? value) => value is not null and not 0;

    private protected static bool IsSet(ulong? value) => value is not null and not 0;
}
