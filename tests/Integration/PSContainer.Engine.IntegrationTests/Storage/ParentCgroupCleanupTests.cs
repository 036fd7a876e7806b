using System.Diagnostics;
using PSContainer.Engine.Daemon.Cgroups;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Engine.IntegrationTests.Storage;

/// <summary>
/// The shutdown cleanup of parent cgroups on the host's real cgroup file system, with names of
/// its own (other engines on this machine use pscontainer): an empty parent goes in every
/// hierarchy; one with a process, or with a child cgroup, stays.
/// </summary>
public sealed class ParentCgroupCleanupTests
{
    [RequiresRootFact]
    public void EmptyParentsAreRemovedAndBusyOnesKept()
    {
        var hierarchies = ParentCgroupCleanup.Hierarchies("/sys/fs/cgroup");
        Assert.NotEmpty(hierarchies);
        var name = "psc-cgtest-" + Guid.NewGuid().ToString("N")[..8];
        var busy = hierarchies[0];
        var withChild = hierarchies.Count > 1 ? hierarchies[1] : null;
        using var sleeper = Process.Start(new ProcessStartInfo("sleep", "300") { UseShellExecute = false })!;
        try
        {
            foreach (var hierarchy in hierarchies)
            {
                Directory.CreateDirectory(Path.Combine(hierarchy, name));
            }
            Directory.CreateDirectory(Path.Combine(busy, name)); // already there: the process goes in
            InheritCpuset(busy, Path.Combine(busy, name));
            File.WriteAllText(Path.Combine(busy, name, "cgroup.procs"), sleeper.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (withChild is not null)
            {
                Directory.CreateDirectory(Path.Combine(withChild, name, "child"));
            }

            var removed = ParentCgroupCleanup.RemoveEmpty("/sys/fs/cgroup", [name]);

            var expected = hierarchies.Where(h => h != busy && h != withChild).Select(h => Path.Join(h, name)).Order(StringComparer.Ordinal);
            Assert.Equal(expected, removed.Order(StringComparer.Ordinal));
            Assert.True(Directory.Exists(Path.Combine(busy, name)));
            Assert.False(sleeper.HasExited);
            if (withChild is not null)
            {
                Assert.True(Directory.Exists(Path.Combine(withChild, name, "child")));
            }
        }
        finally
        {
            sleeper.Kill();
            sleeper.WaitForExit();
            foreach (var hierarchy in hierarchies)
            {
                var child = Path.Combine(hierarchy, name, "child");
                if (Directory.Exists(child))
                {
                    Directory.Delete(child);
                }
            }
            // The sleeper is gone: everything is empty now, and the cleanup itself removes the rest.
            ParentCgroupCleanup.RemoveEmpty("/sys/fs/cgroup", [name]);
        }
        Assert.All(hierarchies, h => Assert.False(Directory.Exists(Path.Combine(h, name)), $"{h}/{name} left behind"));
    }

    /// <summary>A v1 cpuset cgroup starts with no cpus or mems, and a process cannot join it then.</summary>
    private static void InheritCpuset(string parent, string child)
    {
        foreach (var file in new[] { "cpuset.cpus", "cpuset.mems" })
        {
            if (File.Exists(Path.Combine(child, file)) && File.ReadAllText(Path.Combine(child, file)).Trim().Length == 0)
            {
                File.WriteAllText(Path.Combine(child, file), File.ReadAllText(Path.Combine(parent, file)).Trim());
            }
        }
    }
}
