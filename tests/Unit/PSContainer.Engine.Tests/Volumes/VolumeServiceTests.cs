using PSContainer.Api;
using PSContainer.Engine.Core.Events;
using PSContainer.Engine.Core.Volumes;
using PSContainer.Engine.Daemon.Volumes;
using PSContainer.Engine.Errors;
using Xunit;
using ApiMount = PSContainer.Api.Mount;

namespace PSContainer.Engine.Tests.Volumes;

public sealed class VolumeServiceTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("psc-volsvc-").FullName;
    private readonly EventExchange _events = new();
    private readonly VolumeService _service;

    public VolumeServiceTests()
    {
        _service = new VolumeService(new LocalVolumeStore(Path.Combine(_root, "volumes"), type => type == "tmpfs"), _events);
    }

    private string State(string id) => Path.Combine(_root, "containers", id);

    private IReadOnlyList<MountPointRecord> Resolve(string id, HostConfig host, ContainerConfig? config = null, params VolumesFromSource[] from) =>
        _service.ResolveForCreate(id, State(id), host, config ?? new ContainerConfig(), from);

    [Fact]
    public void CreateIsIdempotentAndInspectAndListShowDockersFields()
    {
        var created = _service.Create(new VolumeCreateRequest { Name = "data", Labels = new Dictionary<string, string> { ["team"] = "a" } });
        Assert.Equal("data", created.Name);
        Assert.Equal("local", created.Driver);
        Assert.Equal("local", created.Scope);
        Assert.EndsWith("/volumes/data/_data", created.Mountpoint, StringComparison.Ordinal);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", created.CreatedAt);
        Assert.Equal(created.CreatedAt, _service.Create(new VolumeCreateRequest { Name = "data" }).CreatedAt);
        Assert.Equal("a", _service.Inspect("data").Labels["team"]);
        Assert.Matches("^[0-9a-f]{64}$", _service.Create(new VolumeCreateRequest()).Name); // no name: a generated one

        var error = Assert.Throws<PSContainer.Engine.Core.Errdefs.CoreException>(() => _service.Inspect("nope"));
        Assert.Equal((EngineErrorKind.NotFound, "get nope: no such volume"), ErrorMapping.Classify(error));
        Assert.Equal(EngineErrorKind.InvalidParameter, ErrorMapping.Classify(Assert.ThrowsAny<Exception>(() =>
            _service.Create(new VolumeCreateRequest { Name = "x", DriverOpts = new Dictionary<string, string> { ["bogus"] = "1" } }))).Kind);
        Assert.DoesNotContain(_service.List(VolumeFilters.ForList([])).Volumes, v => v.Name == "x");
        using var subscription = _events.Subscribe(DateTimeOffset.MinValue);
        Assert.Contains(subscription.History, e => e.Type == "volume" && e.Action == "create" && e.ActorId == "data");
    }

    [Fact]
    public void ResolveMakesAnonymousVolumesForImageVolumesNotCoveredByOtherMounts()
    {
        var points = Resolve("c1", new HostConfig { Binds = ["/srv:/etc/app:ro", "named:/data"], Tmpfs = new Dictionary<string, string> { ["/tmp/x"] = "size=1m" } },
            new ContainerConfig { Volumes = new() { ["/data"] = new(), ["/var/lib/db"] = new(), ["/tmp/x"] = new() } });
        Assert.Equal(["/etc/app", "/data", "/tmp/x", "/var/lib/db"], points.Select(p => p.Destination));
        var anonymous = points.Single(p => p.Destination == "/var/lib/db");
        Assert.Equal(("volume", false, true), (anonymous.Type, anonymous.Named, anonymous.CopyData));
        Assert.Matches("^[0-9a-f]{64}$", anonymous.Name);
        var info = _service.Store.Get(anonymous.Name!);
        Assert.True(info.Record.Anonymous);
        Assert.True(_service.Store.Get("named").Record.Labels.Count == 0);
        Assert.Equal(["c1"], _service.Store.UsersOf("named"));
        Assert.True(File.Exists(Path.Combine(State("c1"), "mounts.json")));

        var inspect = _service.InspectMounts("c1");
        Assert.Equal(["/etc/app", "/data", "/var/lib/db"], inspect.Select(m => m.Destination)); // --tmpfs is not listed, as in Docker
        var bind = inspect[0];
        Assert.Equal(("bind", "/srv", false, "ro", "rprivate", (string?)null), (bind.Type, bind.Source, bind.RW, bind.Mode, bind.Propagation, bind.Driver));
        var named = inspect[1];
        Assert.Equal(("volume", "named", "local", true, ""), (named.Type, named.Name, named.Driver, named.RW, named.Propagation));
        Assert.Equal(_service.Store.MountpointOf("named"), named.Source);
    }

    [Fact]
    public void RmVolumesRemovesOnlyUnusedAnonymousVolumes()
    {
        var c1 = Resolve("c1", new HostConfig { Binds = ["keep:/keep", "/anon"] });
        var anon = c1.Single(p => p.Destination == "/anon").Name!;
        Resolve("c2", new HostConfig { Binds = ["keep:/k2"] });
        var c3 = Resolve("c3", new HostConfig(), null, new VolumesFromSource("c1", ReadOnly: true));
        Assert.All(c3, p => Assert.False(p.RW));
        Assert.Equal(["c1", "c3"], _service.Store.UsersOf(anon));

        var inUse = Assert.Throws<PSContainer.Engine.Core.Errdefs.CoreException>(() => _service.Remove("keep", force: true));
        Assert.Equal((EngineErrorKind.Conflict, "remove keep: volume is in use - [c1, c2, c3]"), ErrorMapping.Classify(inUse));

        _service.Forget("c1", removeAnonymous: true);
        Assert.True(_service.Store.TryGet(anon, out _)); // c3 still uses it
        _service.Forget("c3", removeAnonymous: true);
        Assert.False(_service.Store.TryGet(anon, out _));
        _service.Forget("c2", removeAnonymous: true);
        Assert.True(_service.Store.TryGet("keep", out _)); // named volumes are never removed with a container
        Assert.Empty(_service.Store.UsersOf("keep"));
        _service.Remove("keep", force: false);
        _service.Remove("keep", force: true); // force forgives a missing volume
        Assert.Throws<PSContainer.Engine.Core.Errdefs.CoreException>(() => _service.Remove("keep", force: false));
    }

    [Fact]
    public void LaterMountsOverrideInheritedOnesAndBadRequestsLeaveNothing()
    {
        Resolve("c1", new HostConfig { Binds = ["shared:/data", "/srv:/srv"] });
        var c2 = Resolve("c2", new HostConfig { Binds = ["other:/data"] }, null, new VolumesFromSource("c1", null));
        Assert.Equal("other", c2.Single(p => p.Destination == "/data").Name);
        Assert.Equal("c1", c2.Single(p => p.Destination == "/srv").FromContainer);
        Assert.Equal(["c1"], _service.Store.UsersOf("shared"));

        var before = _service.Store.List().Select(v => v.Name).ToList();
        Assert.Throws<EngineException>(() => Resolve("c3", new HostConfig { Binds = ["fresh:/a", "/b"], VolumeDriver = "convoy" }));
        var badOptions = new HostConfig
        {
            Binds = ["fresh:/a", "/b"],
            Mounts = [new ApiMount { Type = "volume", Source = "broken", Target = "/c", VolumeOptions = new VolumeOptions { DriverConfig = new VolumeDriverConfig { Options = new() { ["type"] = "tmpfs" } } } }],
        };
        Assert.ThrowsAny<Exception>(() => Resolve("c3", badOptions));
        Assert.Equal(before, _service.Store.List().Select(v => v.Name).ToList());
        Assert.Empty(_service.MountsOf("c3"));
    }

    [Fact]
    public void RestoreReadsMountsFilesAndReportsContainersWithout()
    {
        Resolve("c1", new HostConfig { Binds = ["v1:/a"] });
        var fresh = new VolumeService(new LocalVolumeStore(Path.Combine(_root, "volumes")));
        Directory.CreateDirectory(State("old"));
        var missing = fresh.Restore([("c1", State("c1"), false), ("old", State("old"), false)]);
        Assert.Equal(["old"], missing);
        Assert.Equal(["c1"], fresh.Store.UsersOf("v1"));
        Assert.Equal("v1", fresh.MountsOf("c1").Single().Name);
    }

    [Fact]
    public void ActivateCopiesOnceCreatesVolumeHostDirsAndRefusesMissingMountSources()
    {
        var rootfs = Path.Combine(_root, "rootfs");
        Directory.CreateDirectory(Path.Combine(rootfs, "data"));
        File.WriteAllText(Path.Combine(rootfs, "data", "seed"), "from image");
        var hostDir = Path.Combine(_root, "made-by-v");
        Resolve("c1", new HostConfig { Binds = ["/data", hostDir + ":/h"] });
        var mounts = _service.Activate("c1", rootfs);
        var volume = _service.MountsOf("c1").Single(p => p.Type == "volume");
        Assert.Equal("from image", File.ReadAllText(Path.Combine(_service.Store.MountpointOf(volume.Name!), "seed")));
        Assert.False(volume.CopyData);
        Assert.True(Directory.Exists(hostDir));
        Assert.Equal(["rbind", "rprivate"], mounts.Single(m => m.Destination == "/data").Options);

        File.Delete(Path.Combine(_service.Store.MountpointOf(volume.Name!), "seed"));
        _service.Deactivate("c1");
        using (var subscription = _events.Subscribe(DateTimeOffset.MinValue))
        {
            var mount = subscription.History.Single(e => e.Action == "mount");
            Assert.Equal(("volume", volume.Name, "c1", "/data", "true"), (mount.Type, mount.ActorId, mount.Attributes["container"], mount.Attributes["destination"], mount.Attributes["read/write"]));
            Assert.Single(subscription.History, e => e.Action == "unmount" && e.ActorId == volume.Name);
        }
        _service.Activate("c1", rootfs);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_service.Store.MountpointOf(volume.Name!))); // copied once only

        var missing = Path.Combine(_root, "missing");
        var atCreate = Assert.Throws<EngineException>(() => Resolve("c2", new HostConfig { Mounts = [new ApiMount { Type = "bind", Source = missing, Target = "/m" }] }));
        Assert.Equal($"invalid mount config for type \"bind\": bind source path does not exist: {missing}", atCreate.Message);
        Directory.CreateDirectory(missing);
        Resolve("c2", new HostConfig { Mounts = [new ApiMount { Type = "bind", Source = missing, Target = "/m" }] });
        Directory.Delete(missing); // gone between create and start
        var error = Assert.Throws<EngineException>(() => _service.Activate("c2", rootfs));
        Assert.Equal($"invalid mount config for type \"bind\": bind source path does not exist: {missing}", error.Message);
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public void NestedMountsComeAfterTheirParents()
    {
        Resolve("c1", new HostConfig { Binds = ["/x:/data/cache", "/y:/data"] });
        var mounts = _service.OciMountsForCheck("c1");
        Assert.Equal(["/data", "/data/cache"], mounts.Select(m => m.Destination));
    }

    [Fact]
    public void PruneTakesAnonymousVolumesUnlessAllAndHonoursLabels()
    {
        _service.Create(new VolumeCreateRequest { Name = "named", Labels = new() { ["keep"] = "no" } });
        _service.Create(new VolumeCreateRequest { Name = "labelled", Labels = new() { ["keep"] = "yes" } });
        var points = Resolve("c1", new HostConfig { Binds = ["/a1", "/a2", "used:/u"] });
        _service.Forget("c1", removeAnonymous: false);
        Resolve("c2", new HostConfig { Binds = ["used:/u"] });
        var anonymous = points.Where(p => !p.Named).Select(p => p.Name!).Order().ToList();
        File.WriteAllBytes(Path.Combine(_service.Store.MountpointOf(anonymous[0]), "f"), new byte[100]);

        var pruned = _service.Prune(VolumeFilters.ForPrune([]), allByDefault: false);
        Assert.Equal(anonymous, pruned.VolumesDeleted!.Order());
        Assert.Equal(100, pruned.SpaceReclaimed);

        var labelled = _service.Prune(VolumeFilters.ForPrune(new() { ["all"] = ["true"], ["label!"] = ["keep=yes"] }), allByDefault: false);
        Assert.Equal(["named"], labelled.VolumesDeleted);
        var old = _service.Prune(VolumeFilters.ForPrune([]), allByDefault: true); // API < 1.42
        Assert.Equal(["labelled"], old.VolumesDeleted);
        Assert.Equal(["used"], _service.List(VolumeFilters.ForList([])).Volumes.Select(v => v.Name));
    }

    [Fact]
    public void DiskUsageReportsSizesAndUsers()
    {
        Resolve("c1", new HostConfig { Binds = ["du:/d"] });
        File.WriteAllBytes(Path.Combine(_service.Store.MountpointOf("du"), "f"), new byte[300]);
        var usage = _service.DiskUsage().Single();
        Assert.Equal((300L, 1L), (usage.UsageData!.Size, usage.UsageData.RefCount));
    }

    public void Dispose() => PSContainer.Engine.Core.Diff.FileTree.DeleteRecursive(_root);
}
