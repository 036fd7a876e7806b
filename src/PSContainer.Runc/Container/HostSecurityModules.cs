namespace PSContainer.Runc.Container;

/// <summary>
/// Which label-based LSMs the host runs, for process.apparmorProfile and process.selinuxLabel: with
/// the LSM the label is set for the workload's execve (/proc/self/attr/…/exec), without it a label
/// is a clear error, as runc's is.
/// </summary>
public sealed record HostSecurityModules(bool AppArmor, bool Selinux)
{
    public static readonly HostSecurityModules None = new(false, false);

    /// <summary>Reads the host: AppArmor's module parameter and SELinux's selinuxfs.</summary>
    public static HostSecurityModules Detect() => new(
        File.Exists("/sys/module/apparmor/parameters/enabled") &&
            File.ReadAllText("/sys/module/apparmor/parameters/enabled").Trim() == "Y",
        File.Exists("/sys/fs/selinux/enforce"));
}
