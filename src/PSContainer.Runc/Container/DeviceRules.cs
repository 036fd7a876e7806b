using PSContainer.Oci;

namespace PSContainer.Runc.Container;

/// <summary>
/// The device cgroup rules a container really gets: the config's own rules, then the devices every
/// container needs (runc's list: mknod of anything, the default nodes, /dev/pts/*, ptmx, tun), then
/// the nodes linux.devices creates. Without these a "deny all" config could not even mknod /dev/null.
/// </summary>
public static class DeviceRules
{
    public static readonly IReadOnlyList<LinuxDeviceCgroup> AlwaysAllowed =
    [
        Allow("c", null, null, "m"), Allow("b", null, null, "m"),
        Allow("c", 1, 3), Allow("c", 1, 8), Allow("c", 1, 7), Allow("c", 5, 0), Allow("c", 1, 5), Allow("c", 1, 9),
        Allow("c", 136, null), Allow("c", 5, 2), Allow("c", 10, 200),
    ];

    /// <summary>The resources to write at create time (a copy: the config itself is not changed).</summary>
    public static LinuxResources Effective(Linux? linux)
    {
        var source = linux?.Resources;
        var result = new LinuxResources
        {
            Memory = source?.Memory, Cpu = source?.Cpu, Pids = source?.Pids, BlockIO = source?.BlockIO,
            HugepageLimits = source?.HugepageLimits, Network = source?.Network, Rdma = source?.Rdma, Unified = source?.Unified,
            Devices = [.. source?.Devices ?? [], .. AlwaysAllowed],
        };
        foreach (var d in (linux?.Devices ?? []).Where(d => d.Type != "p"))
        {
            result.Devices.Add(Allow(d.Type == "u" ? "c" : d.Type, d.Major, d.Minor));
        }
        return result;
    }

    private static LinuxDeviceCgroup Allow(string type, long? major, long? minor, string access = "rwm") =>
        new() { Allow = true, Type = type, Major = major, Minor = minor, Access = access };
}
