namespace PSContainer.Runc.Container;

/// <summary>Namespace types of the OCI spec and their clone(2) flags and /proc/PID/ns names.</summary>
public static class Namespaces
{
    public const long CLONE_NEWTIME = 0x80, CLONE_NEWNS = 0x20000, CLONE_NEWCGROUP = 0x02000000,
        CLONE_NEWUTS = 0x04000000, CLONE_NEWIPC = 0x08000000, CLONE_NEWUSER = 0x10000000,
        CLONE_NEWPID = 0x20000000, CLONE_NEWNET = 0x40000000;

    /// <summary>The order namespaces are joined in: user first (it grants the rights for the rest), mount late.</summary>
    public static readonly string[] JoinOrder = ["user", "ipc", "uts", "network", "pid", "cgroup", "time", "mount"];

    public static long Flag(string type) => type switch
    {
        "pid" => CLONE_NEWPID,
        "network" => CLONE_NEWNET,
        "mount" => CLONE_NEWNS,
        "ipc" => CLONE_NEWIPC,
        "uts" => CLONE_NEWUTS,
        "user" => CLONE_NEWUSER,
        "cgroup" => CLONE_NEWCGROUP,
        "time" => CLONE_NEWTIME,
        _ => throw new ArgumentException($"unknown namespace \"{type}\"", nameof(type)),
    };

    /// <summary>The file under /proc/PID/ns for a spec namespace type.</summary>
    public static string ProcName(string type) => type switch
    {
        "network" => "net",
        "mount" => "mnt",
        _ => type,
    };
}
