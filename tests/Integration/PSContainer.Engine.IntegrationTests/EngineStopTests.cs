using PSContainer.Engine.Daemon.Cgroups;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Engine.IntegrationTests;

/// <summary>
/// A normal stop (SIGTERM) cleans up the engine's empty parent cgroups but never a busy one: a
/// running container, its cgroup and its shim's stay and the container runs on. (Whether the
/// parents go once empty is not checked here: other engines on this machine share them; the
/// cleanup itself is tested on the real cgroupfs in Storage/ParentCgroupCleanupTests.)
/// </summary>
public sealed class EngineStopTests
{
    [RequiresRootFact]
    public void AStoppedEngineLeavesARunningContainersCgroupsAlone()
    {
        using var engine = new EngineProcess();
        engine.Start();
        engine.DockerOk("load -i " + TestEnvironment.Image("busybox-docker.tar"));
        var id = engine.DockerOk("run -d --network none --name stays busybox sleep 300").Trim();
        var pid = int.Parse(engine.DockerOk("inspect -f {{.State.Pid}} stays").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        // Where the container's cgroup is, as the kernel reports it (one line per hierarchy).
        var cgroups = File.ReadAllLines($"/proc/{pid}/cgroup").Select(l => l.Split(':', 3)).Where(p => p[2].Contains(id, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(cgroups);

        engine.Stop();

        Assert.True(Directory.Exists($"/proc/{pid}"), "the container died with the engine");
        Assert.Equal(File.ReadAllLines($"/proc/{pid}/cgroup").Select(l => l.Split(':', 3)).Where(p => p[2].Contains(id, StringComparison.Ordinal)).Select(p => p[2]),
            cgroups.Select(p => p[2]));
        foreach (var hierarchy in ParentCgroupCleanup.Hierarchies("/sys/fs/cgroup"))
        {
            var own = cgroups.Select(p => Path.Join(hierarchy, p[2])).FirstOrDefault(Directory.Exists);
            if (own is not null)
            {
                Assert.True(Directory.Exists(Path.GetDirectoryName(own)), $"the parent of {own} was removed");
            }
        }

        engine.Start();
        Assert.Equal("running", engine.DockerOk("inspect -f {{.State.Status}} stays").Trim());
        engine.DockerOk("rm -f stays");
    }
}
