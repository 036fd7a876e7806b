using PSContainer.Engine.Daemon.Cgroups;
using Xunit;

namespace PSContainer.Engine.Tests.Daemon;

/// <summary>
/// The shutdown cleanup over fixture trees shaped like /sys/fs/cgroup (v1/hybrid and v2). In a
/// fixture an "empty cgroup" is an empty directory; a busy one has processes in cgroup.procs or a
/// child directory. The real kernel's refusal (EBUSY) is covered by the integration test.
/// </summary>
public sealed class ParentCgroupCleanupTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("psc-cgclean-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Hierarchy(string name)
    {
        var path = Path.Combine(_root, name);
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "cgroup.procs"), "1\n");
        return path;
    }

    [Fact]
    public void EmptyParentsGoInEveryV1HierarchyAndBusyOnesStay()
    {
        var memory = Hierarchy("memory");
        var pids = Hierarchy("pids");
        var cpu = Hierarchy("cpu,cpuacct");
        Directory.CreateSymbolicLink(Path.Combine(_root, "cpu"), cpu);
        Directory.CreateDirectory(Path.Combine(memory, "pscontainer"));
        Directory.CreateDirectory(Path.Combine(memory, "pscontainer.shims"));
        // pids: a live shim in pscontainer.shims, a container's child cgroup under pscontainer.
        Directory.CreateDirectory(Path.Combine(pids, "pscontainer.shims"));
        File.WriteAllText(Path.Combine(pids, "pscontainer.shims", "cgroup.procs"), "4242\n");
        Directory.CreateDirectory(Path.Combine(pids, "pscontainer", "c0ffee"));
        Directory.CreateDirectory(Path.Combine(cpu, "pscontainer"));
        Directory.CreateDirectory(Path.Combine(cpu, "other"));

        var removed = ParentCgroupCleanup.RemoveEmpty(_root, ["/pscontainer", ParentCgroupCleanup.ShimParent]);

        Assert.Equal(
            [Path.Join(cpu, "pscontainer"), Path.Join(memory, "pscontainer"), Path.Join(memory, "pscontainer.shims")],
            removed.Order(StringComparer.Ordinal));
        Assert.True(Directory.Exists(Path.Combine(pids, "pscontainer.shims")));
        Assert.True(Directory.Exists(Path.Combine(pids, "pscontainer", "c0ffee")));
        Assert.True(Directory.Exists(Path.Combine(cpu, "other")));
    }

    [Fact]
    public void PureV2UsesTheRootItself()
    {
        File.WriteAllText(Path.Combine(_root, "cgroup.procs"), "1\n");
        Directory.CreateDirectory(Path.Combine(_root, "pscontainer"));
        Directory.CreateDirectory(Path.Combine(_root, "pscontainer.shims"));
        File.WriteAllText(Path.Combine(_root, "pscontainer.shims", "cgroup.procs"), "77\n");

        var removed = ParentCgroupCleanup.RemoveEmpty(_root, ["pscontainer", "pscontainer.shims"]);

        Assert.Equal([Path.Join(_root, "pscontainer")], removed);
        Assert.True(Directory.Exists(Path.Combine(_root, "pscontainer.shims")));
    }

    [Fact]
    public void AMissingRootOrParentIsNothingToDo()
    {
        Assert.Empty(ParentCgroupCleanup.RemoveEmpty(Path.Combine(_root, "absent"), ["pscontainer"]));
        Hierarchy("memory");
        Assert.Empty(ParentCgroupCleanup.RemoveEmpty(_root, ["pscontainer"]));
    }
}
