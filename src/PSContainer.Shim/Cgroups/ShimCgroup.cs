namespace PSContainer.Shim.Cgroups;

/// <summary>
/// Moves the shim server out of its caller's cgroups into &lt;hierarchy&gt;/pscontainer.shims in every
/// mounted hierarchy. The engine may run in a service cgroup that its supervisor kills as a whole
/// when the engine stops (systemd's KillMode=control-group), and its memory limit would count the
/// shims; the shims must outlive the engine and be accounted on their own, as containerd's shims
/// are when shim_cgroup is set.
/// </summary>
internal static class ShimCgroup
{
    public const string Name = "pscontainer.shims";

    /// <summary>Moves <paramref name="pid"/>; hierarchies where that fails are logged and skipped.</summary>
    public static void MoveOut(int pid, string cgroupRoot = "/sys/fs/cgroup")
    {
        if (!Directory.Exists(cgroupRoot))
        {
            return;
        }
        var hierarchies = File.Exists(Path.Join(cgroupRoot, "cgroup.procs"))
            ? [cgroupRoot] // pure cgroup v2
            : Directory.GetDirectories(cgroupRoot).Where(d => File.Exists(Path.Join(d, "cgroup.procs")) && !IsLink(d)).ToArray();
        foreach (var hierarchy in hierarchies)
        {
            var target = Path.Join(hierarchy, Name);
            try
            {
                Directory.CreateDirectory(target);
                InheritCpuset(hierarchy, target);
                File.WriteAllText(Path.Join(target, "cgroup.procs"), pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                ShimLog.Warn($"cannot move the shim into {target}: {e.Message}");
            }
        }
    }

    /// <summary>A new v1 cpuset cgroup has no cpus or mems, and adding a process to it fails with ENOSPC.</summary>
    private static void InheritCpuset(string parent, string child)
    {
        foreach (var file in new[] { "cpuset.cpus", "cpuset.mems" })
        {
            var childFile = Path.Join(child, file);
            if (File.Exists(childFile) && File.ReadAllText(childFile).Trim().Length == 0)
            {
                File.WriteAllText(childFile, File.ReadAllText(Path.Join(parent, file)).Trim());
            }
        }
    }

    // cpu,cpuacct style symlinks point at a hierarchy that is also listed under its own name.
    private static bool IsLink(string path) => new DirectoryInfo(path).LinkTarget is not null;
}
