using PSContainer.Api;
using PSContainer.Engine.Daemon.Containers;
using PSContainer.Engine.Daemon.Spec;
using PSContainer.Engine.Errors;
using PSContainer.Oci;
using Xunit;

namespace PSContainer.Engine.Tests.Spec;

public sealed class SpecBuilderTests
{
    private const string Id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static ContainerRecord Record(Action<ContainerConfig>? config = null, Action<HostConfig>? host = null)
    {
        var record = new ContainerRecord
        {
            Id = Id,
            Name = "test",
            Path = "sh",
            Args = ["-c", "true"],
            Config = new ContainerConfig { Env = ["PATH=/bin", "A=1"], WorkingDir = "" },
            HostConfig = new HostConfig { NetworkMode = "bridge" },
        };
        config?.Invoke(record.Config);
        host?.Invoke(record.HostConfig);
        return record;
    }

    private static SpecInputs Inputs(uint uid = 0, string? init = null) =>
        new(new ResolvedUser(uid, uid, uid == 0 ? [] : [100u], uid == 0 ? "/root" : "/home/u"),
            "/state/hostname", "/state/hosts", "/state/resolv.conf", "/pscontainer/" + Id,
            NetworkNamespacePath: "/proc/42/ns/net", InitPath: init,
            ResolveVolume: name => "/volumes/" + name + "/_data");

    [Fact]
    public void DefaultsFollowDocker()
    {
        var spec = SpecBuilder.Build(Record(), Inputs());
        var process = spec.Process!;
        Assert.Equal(["sh", "-c", "true"], process.Args);
        Assert.Equal("/", process.Cwd);
        Assert.Equal(DockerDefaults.Capabilities, process.Capabilities!.Bounding);
        Assert.Equal(DockerDefaults.Capabilities, process.Capabilities.Effective);
        Assert.Null(process.Capabilities.Ambient);
        Assert.Null(process.Rlimits); // never raise limits by default (hard limits cannot be raised here)
        Assert.Contains("HOSTNAME=0123456789ab", process.Env!);
        Assert.Contains("HOME=/root", process.Env!);
        Assert.Equal("0123456789ab", spec.Hostname);
        Assert.Equal("rootfs", spec.Root!.Path);
        Assert.Null(spec.Root.Readonly);

        var destinations = spec.Mounts!.Select(m => m.Destination).ToList();
        Assert.Equal(["/proc", "/dev", "/dev/pts", "/sys", "/sys/fs/cgroup", "/dev/mqueue", "/dev/shm", "/etc/resolv.conf", "/etc/hostname", "/etc/hosts"], destinations);
        Assert.Contains("ro", spec.Mounts!.Single(m => m.Destination == "/sys").Options!);
        Assert.Equal("/state/hosts", spec.Mounts!.Single(m => m.Destination == "/etc/hosts").Source);
        Assert.Contains("size=67108864", spec.Mounts!.Single(m => m.Destination == "/dev/shm").Options!);

        var linux = spec.Linux!;
        Assert.Equal(["mount", "network", "pid", "ipc", "uts"], linux.Namespaces!.Select(n => n.Type));
        Assert.All(linux.Namespaces!.Where(n => n.Type != "network"), n => Assert.Null(n.Path));
        Assert.Equal("/proc/42/ns/net", linux.Namespaces!.Single(n => n.Type == "network").Path); // the engine's pinned namespace
        Assert.Equal(DockerDefaults.MaskedPaths, linux.MaskedPaths);
        Assert.Equal(DockerDefaults.ReadonlyPaths, linux.ReadonlyPaths);
        Assert.Equal("/pscontainer/" + Id, linux.CgroupsPath);
        Assert.False(linux.Resources!.Devices![0].Allow);
        Assert.Null(linux.Resources.Memory);
        Assert.Null(linux.Resources.Cpu);
    }

    [Fact]
    public void NonRootUsersGetNoEffectiveCapabilities()
    {
        var process = SpecBuilder.Build(Record(), Inputs(uid: 1000)).Process!;
        Assert.Equal(1000u, process.User.Uid);
        Assert.Equal([100u], process.User.AdditionalGids);
        Assert.Empty(process.Capabilities!.Effective!);
        Assert.Empty(process.Capabilities.Permitted!);
        Assert.Equal(DockerDefaults.Capabilities, process.Capabilities.Bounding);
    }

    [Fact]
    public void CapAddAndDropAcceptDockerSpellings()
    {
        var caps = SpecBuilder.Build(Record(host: h => { h.CapAdd = ["net_admin"]; h.CapDrop = ["CHOWN", "CAP_KILL"]; }), Inputs()).Process!.Capabilities!.Bounding!;
        Assert.Contains("CAP_NET_ADMIN", caps);
        Assert.DoesNotContain("CAP_CHOWN", caps);
        Assert.DoesNotContain("CAP_KILL", caps);

        var only = SpecBuilder.Build(Record(host: h => { h.CapDrop = ["ALL"]; h.CapAdd = ["NET_BIND_SERVICE"]; }), Inputs()).Process!.Capabilities!.Bounding!;
        Assert.Equal(["CAP_NET_BIND_SERVICE"], only);

        var error = Assert.Throws<EngineException>(() => SpecBuilder.Build(Record(host: h => h.CapAdd = ["FLY"]), Inputs()));
        Assert.Equal(EngineErrorKind.InvalidParameter, error.Kind);
    }

    [Fact]
    public void PrivilegedDropsConfinement()
    {
        var spec = SpecBuilder.Build(Record(host: h => h.Privileged = true), Inputs());
        Assert.Equal(DockerDefaults.AllCapabilities, spec.Process!.Capabilities!.Bounding);
        Assert.Null(spec.Linux!.MaskedPaths);
        Assert.Null(spec.Linux.ReadonlyPaths);
        Assert.Null(spec.Linux.Seccomp);
        Assert.True(spec.Linux.Resources!.Devices!.Single().Allow);
        Assert.Contains("rw", spec.Mounts!.Single(m => m.Destination == "/sys").Options!);
    }

    [Fact]
    public void ResourcesMapToCgroupLimits()
    {
        var spec = SpecBuilder.Build(Record(host: h =>
        {
            h.Memory = 64 * 1024 * 1024;
            h.NanoCpus = 1_500_000_000;
            h.CpuShares = 512;
            h.CpusetCpus = "0";
            h.PidsLimit = 50;
            h.OomKillDisable = true;
        }), Inputs());
        var resources = spec.Linux!.Resources!;
        Assert.Equal(64L * 1024 * 1024, resources.Memory!.Limit);
        Assert.Equal(128L * 1024 * 1024, resources.Memory.Swap); // Docker: swap defaults to twice the memory
        Assert.True(resources.Memory.DisableOOMKiller);
        Assert.Equal(100_000UL, resources.Cpu!.Period);
        Assert.Equal(150_000L, resources.Cpu.Quota);
        Assert.Equal(512UL, resources.Cpu.Shares);
        Assert.Equal("0", resources.Cpu.Cpus);
        Assert.Equal(50L, resources.Pids!.Limit);
    }

    [Fact]
    public void MemorySwapSmallerThanMemoryIsRejected()
    {
        var error = Assert.Throws<EngineException>(() => SpecBuilder.Build(Record(host: h => { h.Memory = 64 << 20; h.MemorySwap = 32 << 20; }), Inputs()));
        Assert.Equal(EngineErrorKind.InvalidParameter, error.Kind);
    }

    [Fact]
    public void SecurityOptionsAndReadOnlyRootfs()
    {
        var spec = SpecBuilder.Build(Record(host: h =>
        {
            h.ReadonlyRootfs = true;
            h.SecurityOpt = ["no-new-privileges", "seccomp=unconfined"];
        }), Inputs() with { DefaultSeccomp = caps => new LinuxSeccomp { DefaultAction = "SCMP_ACT_ERRNO", Architectures = [.. caps] } });
        Assert.True(spec.Root!.Readonly);
        Assert.True(spec.Process!.NoNewPrivileges);
        Assert.Null(spec.Linux!.Seccomp);

        var confined = SpecBuilder.Build(Record(), Inputs() with { DefaultSeccomp = caps => new LinuxSeccomp { DefaultAction = "SCMP_ACT_ERRNO", Architectures = [.. caps] } });
        Assert.Equal("SCMP_ACT_ERRNO", confined.Linux!.Seccomp!.DefaultAction);
        Assert.Equal(DockerDefaults.Capabilities, confined.Linux.Seccomp.Architectures); // built for the container's capabilities
        Assert.Null(confined.Process!.NoNewPrivileges);
    }

    [Fact]
    public void BindsMountsAndTmpfs()
    {
        var spec = SpecBuilder.Build(Record(host: h =>
        {
            h.Binds = ["/srv/data:/data:ro", "cache:/cache"];
            h.Mounts = [new PSContainer.Api.Mount { Type = "tmpfs", Target = "/scratch", TmpfsOptions = new TmpfsOptions { SizeBytes = 1024 } }];
            h.Tmpfs = new Dictionary<string, string> { ["/run"] = "size=1m" };
        }), Inputs());
        var data = spec.Mounts!.Single(m => m.Destination == "/data");
        Assert.Equal("/srv/data", data.Source);
        Assert.Contains("ro", data.Options!);
        Assert.Equal("/volumes/cache/_data", spec.Mounts!.Single(m => m.Destination == "/cache").Source);
        Assert.Contains("size=1024", spec.Mounts!.Single(m => m.Destination == "/scratch").Options!);
        Assert.Contains("size=1m", spec.Mounts!.Single(m => m.Destination == "/run").Options!);
    }

    [Theory]
    [InlineData("relative:/data")]
    [InlineData("/src:relative")]
    [InlineData("/a:/b:bogus")]
    [InlineData("/only")]
    public void BadBindsAreBadParameters(string bind)
    {
        var error = Assert.Throws<EngineException>(() => SpecBuilder.ParseBind(bind, null));
        Assert.Equal(EngineErrorKind.InvalidParameter, error.Kind);
    }

    [Fact]
    public void NetworkModes()
    {
        var host = SpecBuilder.Build(Record(host: h => h.NetworkMode = "host"), Inputs() with { HostHostname = "machine" });
        Assert.DoesNotContain(host.Linux!.Namespaces!, n => n.Type is "network");
        Assert.Contains(host.Linux!.Namespaces!, n => n.Type is "uts"); // Docker keeps a private UTS namespace named like the host
        Assert.Equal("machine", host.Hostname);

        var utsHost = SpecBuilder.Build(Record(host: h => h.UTSMode = "host"), Inputs());
        Assert.DoesNotContain(utsHost.Linux!.Namespaces!, n => n.Type is "uts");
        Assert.Null(utsHost.Hostname); // a runtime refuses a hostname without a UTS namespace of its own

        var joined = SpecBuilder.Build(Record(host: h => h.NetworkMode = "container:other"), Inputs());
        Assert.Equal("/proc/42/ns/net", joined.Linux!.Namespaces!.Single(n => n.Type == "network").Path);

        // none, bridge and user networks join the namespace the engine pinned and wired, or get a fresh one.
        var none = SpecBuilder.Build(Record(host: h => h.NetworkMode = "none"), Inputs() with { NetworkNamespacePath = null });
        Assert.Null(none.Linux!.Namespaces!.Single(n => n.Type == "network").Path);
        var pinned = SpecBuilder.Build(Record(host: h => h.NetworkMode = "bridge"), Inputs() with { NetworkNamespacePath = "/run/pscontainer/netns/x" });
        Assert.Equal("/run/pscontainer/netns/x", pinned.Linux!.Namespaces!.Single(n => n.Type == "network").Path);
    }

    [Fact]
    public void InitWrapsTheCommand()
    {
        var spec = SpecBuilder.Build(Record(host: h => h.Init = true), Inputs(init: "/usr/bin/docker-init"));
        Assert.Equal(["/sbin/docker-init", "--", "sh", "-c", "true"], spec.Process!.Args);
        Assert.Equal("/usr/bin/docker-init", spec.Mounts!.Single(m => m.Destination == "/sbin/docker-init").Source);

        var error = Assert.Throws<EngineException>(() => SpecBuilder.Build(Record(host: h => h.Init = true), Inputs(init: null)));
        Assert.Contains("init", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UlimitsAndSysctls()
    {
        var spec = SpecBuilder.Build(Record(host: h =>
        {
            h.Ulimits = [new Ulimit { Name = "nofile", Soft = 1024, Hard = 2048 }];
            h.Sysctls = new Dictionary<string, string> { ["net.ipv4.ip_forward"] = "1" };
        }), Inputs());
        var limit = Assert.Single(spec.Process!.Rlimits!);
        Assert.Equal("RLIMIT_NOFILE", limit.Type);
        Assert.Equal(1024UL, limit.Soft);
        Assert.Equal(2048UL, limit.Hard);
        Assert.Equal("1", spec.Linux!.Sysctl!["net.ipv4.ip_forward"]);
    }

    [Fact]
    public void TtyAddsTermAndImageEnvWins()
    {
        var spec = SpecBuilder.Build(Record(c => { c.Tty = true; c.Env = ["PATH=/custom", "TERM=dumb"]; }), Inputs());
        Assert.Contains("PATH=/custom", spec.Process!.Env!);
        Assert.Contains("TERM=dumb", spec.Process.Env!);
        Assert.True(spec.Process.Terminal);
    }
}
