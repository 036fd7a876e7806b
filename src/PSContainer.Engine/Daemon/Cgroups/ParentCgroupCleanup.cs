using PSContainer.Interop.Linux;

namespace PSContainer.Engine.Daemon.Cgroups;

/// <summary>
/// On shutdown the engine removes the parent cgroups it and its shims made (the containers'
/// parent, "pscontainer", made by the runtime; "pscontainer.shims", made by psc-shim's ShimCgroup)
/// in every mounted hierarchy, so a stopped engine leaves no empty directories in /sys/fs/cgroup.
/// A parent that still holds a process or a child cgroup (a live container or shim, which must
/// outlive the engine) is left alone: it is checked first, and the kernel refuses rmdir of a busy
/// cgroup anyway (EBUSY). Child cgroups are never removed here: an empty one may be a container's
/// that another engine on the same host is creating this very moment.
/// </summary>
public static class ParentCgroupCleanup
{
    /// <summary>The shims' parent; psc-shim's ShimCgroup.Name.</summary>
    public const string ShimParent = "pscontainer.shims";

    /// <summary>
    /// Removes <paramref name="cgroupRoot"/>/&lt;hierarchy&gt;/&lt;name&gt; for each of <paramref name="names"/>
    /// where it is empty. Returns the removed paths; failures other than "busy" or "gone" go to
    /// <paramref name="onError"/> and do not stop the rest.
    /// </summary>
    public static List<string> RemoveEmpty(string cgroupRoot, IEnumerable<string> names, Action<string, string>? onError = null)
    {
        var removed = new List<string>();
        var relative = names.Select(n => n.Trim('/')).Where(n => n.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        foreach (var hierarchy in Hierarchies(cgroupRoot))
        {
            foreach (var name in relative)
            {
                var path = Path.Join(hierarchy, name);
                try
                {
                    if (TryRemove(path))
                    {
                        removed.Add(path);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    onError?.Invoke(path, e.Message);
                }
            }
        }
        return removed;
    }

    /// <summary>
    /// <see cref="RemoveEmpty"/>, repeated every 100 ms for up to <paramref name="patience"/> while
    /// any of the parents still exists: processes that are exiting (the shims of containers removed
    /// just before, an unbound spare) leave their cgroup only a moment later.
    /// </summary>
    public static async Task RemoveEmptyAsync(string cgroupRoot, IReadOnlyCollection<string> names, TimeSpan patience, Action<string, string>? onError = null)
    {
        var deadline = Environment.TickCount64 + (long)patience.TotalMilliseconds;
        while (true)
        {
            RemoveEmpty(cgroupRoot, names, onError);
            var left = Hierarchies(cgroupRoot).Any(h => names.Any(n => Directory.Exists(Path.Join(h, n.Trim('/')))));
            if (!left || Environment.TickCount64 >= deadline)
            {
                return;
            }
            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    /// <summary>Pure cgroup v2: the root itself; v1 or hybrid: every mounted hierarchy below it (symlinks such as cpu -> cpu,cpuacct skipped).</summary>
    public static IReadOnlyList<string> Hierarchies(string cgroupRoot)
    {
        if (!Directory.Exists(cgroupRoot))
        {
            return [];
        }
        if (File.Exists(Path.Join(cgroupRoot, "cgroup.procs")))
        {
            return [cgroupRoot];
        }
        return [.. Directory.GetDirectories(cgroupRoot)
            .Where(d => File.Exists(Path.Join(d, "cgroup.procs")) && new DirectoryInfo(d).LinkTarget is null)
            .Order(StringComparer.Ordinal)];
    }

    private static bool TryRemove(string path)
    {
        if (!Directory.Exists(path) || new DirectoryInfo(path).LinkTarget is not null)
        {
            return false;
        }
        if (HasProcesses(path) || Directory.EnumerateDirectories(path).Any())
        {
            return false;
        }
        if (Libc.unlinkat(Libc.AT_FDCWD, path, Libc.AT_REMOVEDIR) == 0)
        {
            return true;
        }
        var error = SyscallException.FromLastError("rmdir", path);
        // EBUSY: a process or a child arrived meanwhile; ENOTEMPTY: not a cgroup file system (files
        // in it); ENOENT: someone else removed it. All mean: leave it.
        return error.Errno is Errno.EBUSY or Errno.ENOTEMPTY or Errno.ENOENT ? false : throw error;
    }

    private static bool HasProcesses(string path)
    {
        var procs = Path.Join(path, "cgroup.procs");
        return File.Exists(procs) && File.ReadAllText(procs).Trim().Length > 0;
    }
}
