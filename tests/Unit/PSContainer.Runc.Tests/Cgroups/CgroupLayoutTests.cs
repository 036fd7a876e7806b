using PSContainer.Runc.Cgroups;
using Xunit;

namespace PSContainer.Runc.Tests.Cgroups;

public sealed class CgroupLayoutTests
{
    private const string Hybrid = """
        22 1 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
        30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
        34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
        40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        41 30 0:31 / /mnt/memory\040again rw,relatime - cgroup cgroup rw,memory
        """;

    [Fact]
    public void HybridHostsHaveV1ControllersAndAnEmptyUnifiedTree()
    {
        var layout = CgroupLayout.Parse(Hybrid);
        Assert.Equal(CgroupMode.Hybrid, layout.Mode);
        Assert.Equal(3, layout.V1Hierarchies.Count); // the second memory mount is the same hierarchy
        Assert.Equal("/sys/fs/cgroup/cpu,cpuacct", layout.V1Hierarchy("cpuacct")!.MountPoint);
        Assert.Same(layout.V1Hierarchy("cpu"), layout.V1Hierarchy("cpuacct"));
        Assert.Equal("/sys/fs/cgroup/systemd", layout.V1Hierarchy("name=systemd")!.MountPoint);
        Assert.Equal("/sys/fs/cgroup/unified", layout.Unified!.MountPoint);
        Assert.Null(layout.V1Hierarchy("pids"));
    }

    [Fact]
    public void ModesAreTellApartByWhatIsMounted()
    {
        Assert.Equal(CgroupMode.Legacy, CgroupLayout.Parse(string.Join('\n', Hybrid.Split('\n').Where(l => !l.Contains("cgroup2")))).Mode);
        var unified = CgroupLayout.Parse("30 22 0:27 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n");
        Assert.Equal(CgroupMode.Unified, unified.Mode);
        Assert.Empty(unified.V1Hierarchies);
        Assert.Throws<CgroupConfigException>(() => CgroupLayout.Parse("22 1 0:21 / /sys rw - sysfs sysfs rw\n"));
    }

    [Fact]
    public void EscapedMountPointsAndSubtreeRootsAreHandled()
    {
        var layout = CgroupLayout.Parse("50 1 0:40 /docker/abc /sys/fs/cgroup/my\\040memory rw - cgroup cgroup rw,memory\n");
        var memory = layout.V1Hierarchy("memory")!;
        Assert.Equal("/sys/fs/cgroup/my memory", memory.MountPoint);
        Assert.Equal("/docker/abc", memory.Root);
        // Inside a container the mount shows /docker/abc as its root.
        Assert.Equal("/sys/fs/cgroup/my memory/web", memory.DirectoryOf("/docker/abc/web"));
        Assert.Equal("/sys/fs/cgroup/my memory/other", memory.DirectoryOf("/other"));
    }

    [Fact]
    public void ThisHostIsDetected()
    {
        var layout = CgroupLayout.Detect();
        Assert.True(layout.V1Hierarchies.Count > 0 || layout.Unified is not null);
    }

    [Theory]
    [InlineData(null, "web", "/", "/web")]
    [InlineData("", "web", "/psc", "/psc/web")]
    [InlineData("/machine/web", "web", "/", "/machine/web")]
    [InlineData("psc/web", "web", "/", "/psc/web")]
    [InlineData("psc/web", "web", "/parent", "/parent/psc/web")]
    [InlineData("/a/../../b/./c//", "web", "/", "/b/c")]
    [InlineData("../../etc", "web", "/psc", "/etc")]
    public void CgroupsPathsResolveLikeRunc(string? cgroupsPath, string id, string parent, string expected) =>
        Assert.Equal(expected, CgroupPath.Resolve(cgroupsPath, id, parent));

    [Fact]
    public void SystemdFormIsRejectedClearly()
    {
        var error = Assert.Throws<CgroupConfigException>(() => CgroupPath.Resolve("system.slice:docker:abc", "abc"));
        Assert.Contains("slice:prefix:name", error.Message);
        Assert.Contains("system.slice:docker:abc", error.Message);
        Assert.Equal("/a:b:c/d", CgroupPath.Resolve("/a:b:c/d", "x"));
        Assert.Contains("--systemd-cgroup", Assert.Throws<CgroupConfigException>(() =>
            CgroupManager.Open("/x", "x", new CgroupOptions { SystemdCgroup = true })).Message);
    }
}
