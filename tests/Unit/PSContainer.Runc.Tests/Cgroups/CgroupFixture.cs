using PSContainer.Interop.Linux;
using PSContainer.Runc.Cgroups;

namespace PSContainer.Runc.Tests.Cgroups;

/// <summary>
/// A temp directory laid out like /sys/fs/cgroup on a v1 (legacy), hybrid or v2 host, with a
/// mountinfo file describing it. Its <see cref="FixtureCgroupFileSystem"/> runs the real file code
/// and adds the little kernel behaviour the managers rely on: mkdir fills a new cgroup with its
/// control files, rmdir ignores them, cgroup.procs appends, cgroup.subtree_control takes +/-.
/// </summary>
internal sealed class CgroupFixture : IDisposable
{
    public static readonly string[] V1Controllers = ["cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids"];

    private CgroupFixture(string kind)
    {
        Root = Directory.CreateTempSubdirectory($"psc-cgfix-{kind}-").FullName;
        FileSystem = new FixtureCgroupFileSystem(this);
    }

    public string Root { get; }

    public FixtureCgroupFileSystem FileSystem { get; }

    /// <summary>Control files (and initial content) a new cgroup directory gets, per mount point.</summary>
    public Dictionary<string, Dictionary<string, string>> Templates { get; } = [];

    public string MountInfo { get; private set; } = "";

    public CgroupLayout Layout => CgroupLayout.Parse(MountInfo);

    public List<string> Debug { get; } = [];

    public List<(int Pid, int Signal)> Kills { get; } = [];

    public CgroupOptions Options(Func<int, int, int>? kill = null) => new()
    {
        Layout = Layout,
        FileSystem = FileSystem,
        Debug = Debug.Add,
        Timeout = TimeSpan.FromSeconds(5),
        Kill = kill ?? ((pid, signal) => { Kills.Add((pid, signal)); return 0; }),
    };

    public string Path(string relative) => System.IO.Path.Combine(Root, relative.TrimStart('/'));

    public string ReadText(string relative) => File.ReadAllText(Path(relative));

    public void WriteText(string relative, string content) => File.WriteAllText(Path(relative), content);

    /// <summary>This machine's layout: separate v1 mounts, a named systemd hierarchy and (hybrid) an empty cgroup2.</summary>
    public static CgroupFixture V1(bool hybrid, IEnumerable<string>? controllers = null)
    {
        var fixture = new CgroupFixture(hybrid ? "hybrid" : "v1");
        var lines = new List<string>();
        var id = 31;
        foreach (var controller in controllers ?? V1Controllers)
        {
            var mount = fixture.Path(controller);
            Directory.CreateDirectory(mount);
            var files = V1Files(controller);
            fixture.Templates[mount] = files;
            foreach (var (name, content) in files)
            {
                // The root cgroup has values where a new child starts empty (cpuset) or unlimited.
                File.WriteAllText(System.IO.Path.Combine(mount, name), name switch
                {
                    "cpuset.cpus" => "0-1\n",
                    "cpuset.mems" => "0\n",
                    _ => content,
                });
            }
            lines.Add($"{id} 30 0:{id - 3} / {mount} rw,relatime - cgroup cgroup rw,{controller}");
            id++;
        }
        var systemd = fixture.Path("systemd");
        Directory.CreateDirectory(systemd);
        fixture.Templates[systemd] = new() { ["cgroup.procs"] = "", ["notify_on_release"] = "0\n" };
        File.WriteAllText(System.IO.Path.Combine(systemd, "cgroup.procs"), "1\n");
        lines.Add($"{id++} 30 0:50 / {systemd} rw,relatime - cgroup cgroup rw,xattr,name=systemd");
        if (hybrid)
        {
            var unified = fixture.Path("unified");
            Directory.CreateDirectory(unified);
            fixture.Templates[unified] = new() { ["cgroup.procs"] = "", ["cgroup.controllers"] = "", ["cgroup.subtree_control"] = "", ["cgroup.events"] = "populated 0\nfrozen 0\n", ["cgroup.freeze"] = "0\n" };
            File.WriteAllText(System.IO.Path.Combine(unified, "cgroup.procs"), "1\n");
            File.WriteAllText(System.IO.Path.Combine(unified, "cgroup.controllers"), "");
            File.WriteAllText(System.IO.Path.Combine(unified, "cgroup.subtree_control"), "");
            lines.Add($"{id} 30 0:51 / {unified} rw,relatime - cgroup2 cgroup2 rw,nsdelegate");
        }
        lines.Insert(0, $"30 22 0:27 / {fixture.Root} rw,relatime - tmpfs tmpfs rw,mode=755");
        lines.Insert(0, "22 1 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw");
        fixture.MountInfo = string.Join('\n', lines) + "\n";
        return fixture;
    }

    /// <summary>A unified host: one cgroup2 mount with the usual controllers.</summary>
    public static CgroupFixture V2(string controllers = "cpuset cpu io memory hugetlb pids rdma misc", bool bfq = false)
    {
        var fixture = new CgroupFixture("v2");
        var files = new Dictionary<string, string>
        {
            ["cgroup.procs"] = "", ["cgroup.controllers"] = "", ["cgroup.subtree_control"] = "",
            ["cgroup.events"] = "populated 0\nfrozen 0\n", ["cgroup.freeze"] = "0\n", ["cgroup.kill"] = "",
            ["memory.max"] = "max\n", ["memory.low"] = "0\n", ["memory.swap.max"] = "max\n", ["memory.current"] = "0\n",
            ["memory.events"] = "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n", ["memory.stat"] = "anon 0\nfile 0\n",
            ["memory.high"] = "max\n", ["memory.peak"] = "0\n", ["memory.swap.current"] = "0\n",
            ["cpu.weight"] = "100\n", ["cpu.max"] = "max 100000\n", ["cpu.max.burst"] = "0\n", ["cpu.idle"] = "0\n",
            ["cpu.stat"] = "usage_usec 0\nuser_usec 0\nsystem_usec 0\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\n",
            ["cpuset.cpus"] = "", ["cpuset.mems"] = "", ["pids.max"] = "max\n", ["pids.current"] = "0\n",
            ["io.max"] = "", ["io.stat"] = "", ["hugetlb.2MB.max"] = "max\n", ["hugetlb.2MB.current"] = "0\n",
            ["hugetlb.1GB.max"] = "max\n", ["rdma.max"] = "",
        };
        files[bfq ? "io.bfq.weight" : "io.weight"] = bfq ? "default 100\n" : "default 100\n";
        fixture.Templates[fixture.Root] = files;
        File.WriteAllText(fixture.Path("cgroup.controllers"), controllers + "\n");
        File.WriteAllText(fixture.Path("cgroup.subtree_control"), "");
        File.WriteAllText(fixture.Path("cgroup.procs"), "1\n");
        fixture.MountInfo =
            "22 1 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n" +
            $"30 22 0:27 / {fixture.Root} rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n";
        return fixture;
    }

    private static Dictionary<string, string> V1Files(string controller)
    {
        var files = new Dictionary<string, string> { ["cgroup.procs"] = "", ["tasks"] = "", ["notify_on_release"] = "0\n" };
        var extra = controller switch
        {
            "memory" => new Dictionary<string, string>
            {
                ["memory.limit_in_bytes"] = "9223372036854771712\n", ["memory.memsw.limit_in_bytes"] = "9223372036854771712\n",
                ["memory.soft_limit_in_bytes"] = "9223372036854771712\n", ["memory.kmem.tcp.limit_in_bytes"] = "9223372036854771712\n",
                ["memory.swappiness"] = "60\n", ["memory.oom_control"] = "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n",
                ["memory.use_hierarchy"] = "1\n", ["memory.usage_in_bytes"] = "0\n", ["memory.max_usage_in_bytes"] = "0\n",
                ["memory.failcnt"] = "0\n", ["memory.stat"] = "cache 0\nrss 0\ntotal_cache 0\n",
                ["memory.memsw.usage_in_bytes"] = "0\n", ["memory.memsw.max_usage_in_bytes"] = "0\n", ["memory.memsw.failcnt"] = "0\n",
            },
            "cpu" => new() { ["cpu.shares"] = "1024\n", ["cpu.cfs_period_us"] = "100000\n", ["cpu.cfs_quota_us"] = "-1\n", ["cpu.cfs_burst_us"] = "0\n", ["cpu.rt_period_us"] = "1000000\n", ["cpu.rt_runtime_us"] = "0\n", ["cpu.idle"] = "0\n", ["cpu.stat"] = "nr_periods 0\nnr_throttled 0\nthrottled_time 0\n" },
            "cpuacct" => new() { ["cpuacct.usage"] = "0\n", ["cpuacct.usage_percpu"] = "0 0 \n", ["cpuacct.stat"] = "user 0\nsystem 0\n" },
            "cpuset" => new() { ["cpuset.cpus"] = "\n", ["cpuset.mems"] = "\n" },
            "devices" => new() { ["devices.allow"] = "", ["devices.deny"] = "", ["devices.list"] = "a *:* rwm\n" },
            "freezer" => new() { ["freezer.state"] = "THAWED\n" },
            "blkio" => new() { ["blkio.weight"] = "500\n", ["blkio.leaf_weight"] = "500\n", ["blkio.weight_device"] = "", ["blkio.leaf_weight_device"] = "", ["blkio.throttle.read_bps_device"] = "", ["blkio.throttle.write_bps_device"] = "", ["blkio.throttle.read_iops_device"] = "", ["blkio.throttle.write_iops_device"] = "", ["blkio.throttle.io_service_bytes_recursive"] = "Total 0\n", ["blkio.throttle.io_serviced_recursive"] = "Total 0\n" },
            "pids" => new() { ["pids.max"] = "max\n", ["pids.current"] = "0\n" },
            "hugetlb" => new() { ["hugetlb.2MB.limit_in_bytes"] = "9223372036854771712\n", ["hugetlb.2MB.usage_in_bytes"] = "0\n", ["hugetlb.2MB.max_usage_in_bytes"] = "0\n", ["hugetlb.2MB.failcnt"] = "0\n" },
            "net_cls" => new() { ["net_cls.classid"] = "0\n" },
            "net_prio" => new() { ["net_prio.ifpriomap"] = "lo 0\n" },
            _ => new Dictionary<string, string>(),
        };
        foreach (var (name, content) in extra)
        {
            files[name] = content;
        }
        return files;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A failed test may leave an unwritable tree; the temp dir is still uniquely named.
        }
    }
}

/// <summary>The fixture's file system: records every write, injects failures, emulates kernfs.</summary>
internal sealed class FixtureCgroupFileSystem(CgroupFixture fixture) : ICgroupFileSystem
{
    private readonly LinuxCgroupFileSystem _real = LinuxCgroupFileSystem.Instance;

    /// <summary>Every successful write: path relative to the fixture root (with a leading "/") and value.</summary>
    public List<(string Path, string Value)> Writes { get; } = [];

    /// <summary>Writes to these relative paths fail with the errno.</summary>
    public Dictionary<string, int> FailWrites { get; } = [];

    /// <summary>After a write to these relative paths the file holds this content (the kernel clamping a value).</summary>
    public Dictionary<string, string> KernelRewrites { get; } = [];

    /// <summary>mkdir of these relative paths fails with the errno.</summary>
    public Dictionary<string, int> FailMkdirs { get; } = [];

    /// <summary>rmdir fails with EBUSY this many times per directory before succeeding.</summary>
    public int BusyRmdirs { get; set; }

    private readonly Dictionary<string, int> _busy = [];

    public List<string> Removed { get; } = [];

    private string Relative(string path) => "/" + Path.GetRelativePath(fixture.Root, path);

    public string ReadFile(string path) => _real.ReadFile(path);

    public void WriteFile(string path, string value)
    {
        var relative = Relative(path);
        if (FailWrites.TryGetValue(relative, out var errno))
        {
            throw new SyscallException($"write {value} to", path, errno);
        }
        var name = Path.GetFileName(path);
        if (name == "cgroup.procs" && File.Exists(path))
        {
            _real.WriteFile(path, File.ReadAllText(path) + value + "\n"); // the kernel lists every member
        }
        else if (name == "cgroup.subtree_control" && File.Exists(path))
        {
            var enabled = File.ReadAllText(path).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            foreach (var change in value.Split(' '))
            {
                enabled.Remove(change[1..]);
                if (change[0] == '+')
                {
                    enabled.Add(change[1..]);
                }
            }
            _real.WriteFile(path, string.Join(' ', enabled) + "\n");
        }
        else if (name == "cgroup.freeze" && File.Exists(path))
        {
            _real.WriteFile(path, value);
            File.WriteAllText(Path.Combine(Path.GetDirectoryName(path)!, "cgroup.events"), $"populated 1\nfrozen {value.Trim()}\n");
        }
        else if (name == "cgroup.kill" && File.Exists(path))
        {
            File.WriteAllText(Path.Combine(Path.GetDirectoryName(path)!, "cgroup.procs"), "");
        }
        else
        {
            _real.WriteFile(path, value);
        }
        if (KernelRewrites.TryGetValue(relative, out var rewritten))
        {
            File.WriteAllText(path, rewritten);
        }
        Writes.Add((relative, value));
    }

    public bool FileExists(string path) => _real.FileExists(path);

    public bool DirectoryExists(string path) => _real.DirectoryExists(path);

    public void CreateDirectory(string path)
    {
        if (FailMkdirs.TryGetValue(Relative(path), out var errno))
        {
            throw new SyscallException("mkdir", path, errno);
        }
        var existed = Directory.Exists(path);
        _real.CreateDirectory(path);
        if (existed)
        {
            return;
        }
        var mount = fixture.Templates.Keys.Where(m => path.StartsWith(m + "/", StringComparison.Ordinal)).MaxBy(m => m.Length)
            ?? throw new InvalidOperationException($"{path} is in no fixture hierarchy");
        foreach (var (name, content) in fixture.Templates[mount])
        {
            File.WriteAllText(Path.Combine(path, name), content);
        }
        var controllers = Path.Combine(path, "cgroup.controllers");
        if (File.Exists(controllers))
        {
            // A v2 child offers what its parent enabled for its children.
            File.WriteAllText(controllers, File.ReadAllText(Path.Combine(Path.GetDirectoryName(path)!, "cgroup.subtree_control")));
        }
    }

    public void RemoveDirectory(string path)
    {
        var count = _busy.GetValueOrDefault(path);
        if (count < BusyRmdirs)
        {
            _busy[path] = count + 1;
            throw new SyscallException("rmdir", path, Errno.EBUSY);
        }
        if (!Directory.Exists(path))
        {
            throw new SyscallException("rmdir", path, Errno.ENOENT);
        }
        if (File.Exists(Path.Combine(path, "cgroup.procs")) && File.ReadAllText(Path.Combine(path, "cgroup.procs")).Trim().Length > 0)
        {
            throw new SyscallException("rmdir", path, Errno.EBUSY);
        }
        foreach (var file in Directory.GetFiles(path))
        {
            File.Delete(file); // kernfs control files vanish with the directory
        }
        _real.RemoveDirectory(path);
        Removed.Add(Relative(path));
    }

    public IReadOnlyList<string> ListDirectories(string path) => _real.ListDirectories(path);
}
