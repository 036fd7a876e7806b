namespace PSContainer.Shim.Cgroups;

/// <summary>
/// Reads the oom_kill counter of a container's memory cgroup: cgroup v1 memory.oom_control
/// ("oom_kill N", kernel 4.13+) or v2 memory.events. The cgroup is found from /proc/PID/cgroup
/// while the process lives; an increase between create and exit means the kernel OOM-killed
/// something in the container.
/// </summary>
internal sealed class OomCounter
{
    private readonly string? _file;

    private OomCounter(string? file) => _file = file;

    public static OomCounter ForProcess(int pid, string cgroupRoot = "/sys/fs/cgroup")
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/{pid}/cgroup");
        }
        catch (IOException)
        {
            return new OomCounter(null);
        }
        string? v2 = null;
        foreach (var line in lines)
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3)
            {
                continue;
            }
            if (parts[1].Split(',').Contains("memory"))
            {
                return new OomCounter(Path.Join(cgroupRoot, "memory", parts[2], "memory.oom_control"));
            }
            if (parts[0] == "0" && parts[1].Length == 0)
            {
                v2 = parts[2];
            }
        }
        if (v2 is null)
        {
            return new OomCounter(null);
        }
        // Pure v2 at the root, or the hybrid layout's unified mount.
        var unified = Directory.Exists(Path.Join(cgroupRoot, "unified")) ? Path.Join(cgroupRoot, "unified") : cgroupRoot;
        return new OomCounter(Path.Join(unified, v2, "memory.events"));
    }

    /// <summary>The counter, or 0 when the cgroup or the counter is not there.</summary>
    public long Read()
    {
        if (_file is null)
        {
            return 0;
        }
        try
        {
            return Parse(File.ReadAllText(_file));
        }
        catch (IOException)
        {
            return 0;
        }
        catch (UnauthorizedAccessException)
        {
            return 0;
        }
    }

    internal static long Parse(string content)
    {
        foreach (var line in content.Split('\n'))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && parts[0] == "oom_kill" && long.TryParse(parts[1], out var count))
            {
                return count;
            }
        }
        return 0;
    }
}
