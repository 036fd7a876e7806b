namespace PSContainer.Runc.Cgroups;

/// <summary>How <see cref="CgroupManager.Open"/> finds and drives cgroups; defaults are the real host.</summary>
public sealed class CgroupOptions
{
    /// <summary>Where the hierarchies are read from; tests point it at a fixture mountinfo.</summary>
    public string MountInfoPath { get; init; } = "/proc/self/mountinfo";

    /// <summary>An already-detected layout (skips reading <see cref="MountInfoPath"/>).</summary>
    public CgroupLayout? Layout { get; init; }

    /// <summary>The parent of relative cgroupsPaths and of the default "/&lt;id&gt;".</summary>
    public string DefaultParent { get; init; } = "/";

    /// <summary>--systemd-cgroup: not supported; asking for it is an error naming the flag.</summary>
    public bool SystemdCgroup { get; init; }

    public ICgroupFileSystem FileSystem { get; init; } = LinuxCgroupFileSystem.Instance;

    /// <summary>How a remaining task is killed by Destroy(killProcesses: true): (pid, signal) → errno or 0.</summary>
    public Func<int, int, int> Kill { get; init; } = DefaultKill;

    /// <summary>How long Freeze waits for the kernel to report FROZEN, and Destroy for tasks to leave.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Debug notes (ignored settings, skipped controllers); the runtime routes them to its log.</summary>
    public Action<string>? Debug { get; init; }

    private static int DefaultKill(int pid, int signal) =>
        PSContainer.Interop.Linux.Libc.kill(pid, signal) == 0 ? 0 : System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
}
