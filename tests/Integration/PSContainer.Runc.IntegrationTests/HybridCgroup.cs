namespace PSContainer.Runc.IntegrationTests;

/// <summary>
/// The one deliberate difference in the `cgroup` mount: on a hybrid host psc-runc also shows the
/// cgroup2 tree as /sys/fs/cgroup/unified (as crun does); runc 1.1 leaves it out.
/// </summary>
internal static class HybridCgroup
{
    public static bool HostIsHybrid => File.ReadAllLines("/proc/self/mountinfo")
        .Any(l => l.Split(' ') is var f && f.Length > 4 && f[4] == "/sys/fs/cgroup/unified" && l.Contains(" - cgroup2 ", StringComparison.Ordinal));

    /// <summary>Drops the lines about the unified tree (a mountinfo line or an `ls` entry).</summary>
    public static string WithoutUnified(string output) => string.Join('\n', output.Split('\n')
        .Where(l => !l.Contains("/sys/fs/cgroup/unified", StringComparison.Ordinal) && !l.EndsWith(" unified", StringComparison.Ordinal) && l != "unified"));

    /// <summary>On a hybrid host, psc-runc's output shows the unified tree; runc's does not.</summary>
    public static void AssertShownByPscOnly(string psc, string runc)
    {
        if (HostIsHybrid)
        {
            Xunit.Assert.Contains("/sys/fs/cgroup/unified", psc, StringComparison.Ordinal);
            Xunit.Assert.DoesNotContain("/sys/fs/cgroup/unified", runc, StringComparison.Ordinal);
        }
    }
}
