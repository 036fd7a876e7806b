using System.Text;

namespace PSContainer.Runc.Cgroups;

/// <summary>Which cgroup setup the host has.</summary>
public enum CgroupMode
{
    /// <summary>Only v1 hierarchies (one per controller or group of controllers).</summary>
    Legacy,
    /// <summary>v1 controllers plus a cgroup2 mount (usually /sys/fs/cgroup/unified) without controllers.</summary>
    Hybrid,
    /// <summary>One cgroup2 hierarchy holding every controller.</summary>
    Unified,
}

/// <summary>One mounted cgroup hierarchy.</summary>
/// <param name="MountPoint">Where it is mounted, e.g. /sys/fs/cgroup/memory.</param>
/// <param name="Root">The cgroup the mount shows as its root (mountinfo field 4; "/" on a host, deeper inside a container).</param>
/// <param name="Controllers">v1: the controllers ("cpu", "cpuacct") and named hierarchies ("name=systemd"); empty for cgroup2.</param>
/// <param name="IsUnified">True for a cgroup2 mount.</param>
public sealed record CgroupHierarchy(string MountPoint, string Root, IReadOnlySet<string> Controllers, bool IsUnified)
{
    /// <summary>The directory of cgroup <paramref name="cgroupPath"/> (relative to the hierarchy root) in this mount.</summary>
    public string DirectoryOf(string cgroupPath)
    {
        // A mount of a sub-cgroup (inside a container) shows paths below its root only.
        var relative = cgroupPath;
        if (Root != "/" && (cgroupPath == Root || cgroupPath.StartsWith(Root + "/", StringComparison.Ordinal)))
        {
            relative = cgroupPath[Root.Length..];
        }
        return relative is "" or "/" ? MountPoint : MountPoint + relative;
    }
}

/// <summary>
/// The cgroup hierarchies of the host, read from mountinfo. Tests build one from a mountinfo text
/// whose mount points lie in a temp directory, which is how every manager gets an injectable root.
/// </summary>
public sealed class CgroupLayout
{
    private CgroupLayout(IReadOnlyList<CgroupHierarchy> v1, CgroupHierarchy? unified)
    {
        V1Hierarchies = v1;
        Unified = unified;
        Mode = v1.Count > 0 ? (unified is null ? CgroupMode.Legacy : CgroupMode.Hybrid) : CgroupMode.Unified;
    }

    public CgroupMode Mode { get; }

    /// <summary>The v1 hierarchies, one per mount (co-mounted controllers share one).</summary>
    public IReadOnlyList<CgroupHierarchy> V1Hierarchies { get; }

    /// <summary>The cgroup2 mount, if any (the whole tree in unified mode, the empty one in hybrid mode).</summary>
    public CgroupHierarchy? Unified { get; }

    /// <summary>The v1 hierarchy holding <paramref name="controller"/> ("memory", "name=systemd"), if mounted.</summary>
    public CgroupHierarchy? V1Hierarchy(string controller) =>
        V1Hierarchies.FirstOrDefault(h => h.Controllers.Contains(controller));

    /// <summary>Reads /proc/self/mountinfo (or the given file).</summary>
    public static CgroupLayout Detect(string mountInfoPath = "/proc/self/mountinfo") =>
        Parse(File.ReadAllText(mountInfoPath), mountInfoPath);

    /// <summary>Parses mountinfo text (proc(5) format).</summary>
    public static CgroupLayout Parse(string mountInfo, string source = "mountinfo")
    {
        var v1 = new List<CgroupHierarchy>();
        CgroupHierarchy? unified = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in mountInfo.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // id parent maj:min root mountpoint options [optional fields...] - fstype source superoptions
            var fields = line.Split(' ');
            var separator = Array.IndexOf(fields, "-");
            if (separator < 6 || fields.Length < separator + 4)
            {
                throw new InvalidDataException($"{source}: malformed line \"{line}\"");
            }
            var fsType = fields[separator + 1];
            if (fsType is not ("cgroup" or "cgroup2"))
            {
                continue;
            }
            var root = Unescape(fields[3]);
            var mountPoint = Unescape(fields[4]);
            if (fsType == "cgroup2")
            {
                unified ??= new CgroupHierarchy(mountPoint, root, new HashSet<string>(), IsUnified: true);
                continue;
            }
            var controllers = fields[separator + 3].Split(',')
                .Where(o => o.StartsWith("name=", StringComparison.Ordinal) || KnownV1Controllers.Contains(o))
                .ToHashSet(StringComparer.Ordinal);
            // The same hierarchy can be mounted more than once (bind mounts); the first mount wins.
            var key = string.Join(',', controllers.Order(StringComparer.Ordinal));
            if (controllers.Count > 0 && seen.Add(key))
            {
                v1.Add(new CgroupHierarchy(mountPoint, root, controllers, IsUnified: false));
            }
        }
        if (v1.Count == 0 && unified is null)
        {
            throw new CgroupConfigException($"{source}: no cgroup or cgroup2 file system is mounted");
        }
        return new CgroupLayout(v1, unified);
    }

    /// <summary>The v1 controllers a mount's super options can name.</summary>
    public static readonly IReadOnlySet<string> KnownV1Controllers = new HashSet<string>(StringComparer.Ordinal)
    {
        "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "net_cls", "net_prio", "blkio",
        "perf_event", "hugetlb", "pids", "rdma", "misc",
    };

    // mountinfo escapes space, tab, newline and backslash as \040 \011 \012 \134.
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }
        var builder = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && !field.AsSpan(i + 1, 3).ContainsAnyExcept("01234567"))
            {
                builder.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                builder.Append(field[i]);
            }
        }
        return builder.ToString();
    }
}
