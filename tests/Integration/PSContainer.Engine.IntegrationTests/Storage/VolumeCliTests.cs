using System.Text.Json;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Engine.IntegrationTests.Storage;

/// <summary>Volumes and mounts through the real docker CLI against a private psc-engine.</summary>
public sealed class VolumeCliTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    private EngineProcess Engine => fixture.Engine!;

    private string VolumesRoot => Path.Combine(Engine.DataRoot, "volumes");

    private List<string> VolumeNames() =>
        [.. Engine.DockerOk("volume ls -q").Split('\n', StringSplitOptions.RemoveEmptyEntries)];

    private static bool IsMountPoint(string path) =>
        File.ReadAllLines("/proc/self/mountinfo").Any(l => l.Split(' ')[4] == path);

    private JsonElement Mounts(string container) =>
        JsonDocument.Parse(Engine.DockerOk($"inspect -f '{{{{json .Mounts}}}}' {container}")).RootElement.Clone();

    [RequiresRootFact]
    public void NamedVolumeKeepsDataAcrossContainersAndInspectShowsIt()
    {
        Engine.DockerOk("run --rm -v keep1:/data busybox sh -c 'echo kept > /data/f'");
        Assert.Equal("kept\n", Engine.DockerOk("run --rm -v keep1:/data busybox cat /data/f"));
        Assert.Contains("keep1", VolumeNames());
        var mountpoint = Engine.DockerOk("volume inspect -f '{{.Mountpoint}}' keep1").Trim();
        Assert.Equal(Path.Combine(VolumesRoot, "keep1", "_data"), mountpoint);
        Assert.Equal("kept\n", File.ReadAllText(Path.Combine(mountpoint, "f")));

        var hostDir = Path.Combine(Engine.Root, "bind-src");
        Directory.CreateDirectory(hostDir);
        Engine.DockerOk($"create --name insp1 -v keep1:/data:ro -v {hostDir}:/host:rw,rslave --mount type=tmpfs,dst=/t busybox true");
        var mounts = Mounts("insp1").EnumerateArray().ToDictionary(m => m.GetProperty("Destination").GetString()!);
        var volume = mounts["/data"];
        Assert.Equal(("volume", "keep1", mountpoint, "local", "ro", false, ""),
            (volume.GetProperty("Type").GetString(), volume.GetProperty("Name").GetString(), volume.GetProperty("Source").GetString(),
             volume.GetProperty("Driver").GetString(), volume.GetProperty("Mode").GetString(), volume.GetProperty("RW").GetBoolean(), volume.GetProperty("Propagation").GetString()));
        var bind = mounts["/host"];
        Assert.Equal(("bind", hostDir, "rw,rslave", true, "rslave"),
            (bind.GetProperty("Type").GetString(), bind.GetProperty("Source").GetString(), bind.GetProperty("Mode").GetString(),
             bind.GetProperty("RW").GetBoolean(), bind.GetProperty("Propagation").GetString()));
        Assert.Equal("tmpfs", mounts["/t"].GetProperty("Type").GetString());
        // As sent: the docker CLI collects -v flags in a Go map, so their order in Binds varies from run to run.
        var binds = System.Text.Json.JsonSerializer.Deserialize<string[]>(Engine.DockerOk("inspect -f '{{json .HostConfig.Binds}}' insp1"))!;
        Assert.Equal(new[] { "keep1:/data:ro", $"{hostDir}:/host:rw,rslave" }.Order(StringComparer.Ordinal), binds.Order(StringComparer.Ordinal));
        Engine.DockerOk("rm insp1");
    }

    [RequiresRootFact]
    public void ReadOnlyMountsRefuseWrites()
    {
        var hostDir = Path.Combine(Engine.Root, "ro-src");
        Directory.CreateDirectory(hostDir);
        foreach (var mount in new[] { "-v ro1:/data:ro", $"-v {hostDir}:/data:ro", "--mount type=volume,src=ro2,dst=/data,readonly", $"--mount type=bind,src={hostDir},dst=/data,ro" })
        {
            var result = Engine.Docker($"run --rm {mount} busybox touch /data/x");
            Assert.True(result.ExitCode != 0, mount + ": " + result);
            Assert.Contains("Read-only file system", result.Stderr, StringComparison.Ordinal);
        }
        Assert.False(File.Exists(Path.Combine(hostDir, "x")));
        Assert.Equal(0, Engine.Docker($"run --rm -v {hostDir}:/data busybox touch /data/x").ExitCode);
        Assert.True(File.Exists(Path.Combine(hostDir, "x")));
    }

    [RequiresRootFact]
    public void TmpfsMountsAreTmpfsOfTheGivenSizeAndMode()
    {
        var output = Engine.DockerOk("run --rm --tmpfs /scratch:size=16m busybox sh -c 'grep \" /scratch \" /proc/mounts; df -k /scratch | tail -n 1'");
        Assert.Contains("tmpfs /scratch tmpfs", output, StringComparison.Ordinal);
        Assert.Contains("size=16384k", output, StringComparison.Ordinal);
        Assert.Contains(" 16384 ", output, StringComparison.Ordinal); // df's total, in KiB
        Assert.Contains("noexec", output, StringComparison.Ordinal);

        var mounted = Engine.DockerOk("run --rm --mount type=tmpfs,dst=/t,tmpfs-size=8m,tmpfs-mode=1770 busybox sh -c 'grep \" /t \" /proc/mounts; stat -c %a /t'");
        Assert.Contains("size=8192k", mounted, StringComparison.Ordinal);
        Assert.Contains("mode=1770", mounted, StringComparison.Ordinal);
        Assert.EndsWith("1770\n", mounted, StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public void TheImagesVolumeContentIsCopiedIntoAFreshAnonymousVolume()
    {
        Engine.DockerOk("load -i " + VolumeImage.Write(Engine.Root));
        var before = VolumeNames();
        var listing = Engine.DockerOk($"run --name av1 {VolumeImage.Tag} sh -c 'cat /data/hello; ls -ln /data; readlink /data/link; stat -c %u:%g:%a /data'");
        Assert.StartsWith("from the image\n", listing, StringComparison.Ordinal);
        Assert.Matches(@"-rw-r-----\s+1 1000\s+1000\s+15 .* hello", listing);
        Assert.Contains("hello\n1000:1000:750\n", listing, StringComparison.Ordinal);

        var mount = Mounts("av1").EnumerateArray().Single();
        var name = mount.GetProperty("Name").GetString()!;
        Assert.Matches("^[0-9a-f]{64}$", name);
        Assert.Equal(("volume", "/data", ""), (mount.GetProperty("Type").GetString(), mount.GetProperty("Destination").GetString(), mount.GetProperty("Mode").GetString()));
        Assert.Equal(before.Append(name).Order(), VolumeNames().Order());
        Assert.Equal("from the image\n", File.ReadAllText(Path.Combine(VolumesRoot, name, "_data", "hello")));
        Assert.Contains("com.docker.volume.anonymous", Engine.DockerOk($"volume inspect -f '{{{{json .Labels}}}}' {name}"), StringComparison.Ordinal);

        // A named volume that already holds data is not overwritten; volume-nocopy gets nothing.
        Engine.DockerOk("run --rm -v full1:/data busybox sh -c 'echo mine > /data/own'");
        Assert.Equal("own\n", Engine.DockerOk($"run --rm -v full1:/data {VolumeImage.Tag} ls /data"));
        Assert.Equal("", Engine.DockerOk($"run --rm --mount type=volume,src=nocopy1,dst=/data,volume-nocopy {VolumeImage.Tag} ls /data"));
        Assert.Equal("hello\nlink\nsub\n", Engine.DockerOk($"run --rm -v fresh1:/data {VolumeImage.Tag} ls /data"));

        Engine.DockerOk("rm -v av1");
        Assert.DoesNotContain(name, VolumeNames());
        Assert.False(Directory.Exists(Path.Combine(VolumesRoot, name)));
    }

    [RequiresRootFact]
    public void VolumesFromSharesAnotherContainersMounts()
    {
        Engine.DockerOk("create --name vf-src -v vfdata:/shared -v /anon-shared busybox true");
        Engine.DockerOk("run --rm --volumes-from vf-src busybox sh -c 'echo via > /shared/f; echo a > /anon-shared/g'");
        Assert.Equal("via\n", Engine.DockerOk("run --rm -v vfdata:/x busybox cat /x/f"));
        var readOnly = Engine.Docker("run --rm --volumes-from vf-src:ro busybox touch /shared/h");
        Assert.NotEqual(0, readOnly.ExitCode);
        Assert.Contains("Read-only file system", readOnly.Stderr, StringComparison.Ordinal);
        // 404 No such container, as from dockerd (the CLI then tries to pull the image, as it does with dockerd).
        var containers = Engine.DockerOk("ps -aq");
        Assert.NotEqual(0, Engine.Docker("create --volumes-from no-such-container busybox true").ExitCode);
        Assert.Equal(containers, Engine.DockerOk("ps -aq"));
        Engine.DockerOk("rm -v vf-src");
    }

    [RequiresRootFact]
    public void InUseVolumesCannotBeRemovedAndTheUseSurvivesAnEngineRestart()
    {
        var id = Engine.DockerOk("create -v inuse1:/d busybox true").Trim();
        var refused = Engine.Docker("volume rm inuse1");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains($"remove inuse1: volume is in use - [{id}]", refused.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, Engine.Docker("volume rm -f inuse1").ExitCode); // force does not take a volume from its user

        Engine.Stop();
        Engine.Start();
        Assert.Contains("volume is in use", Engine.Docker("volume rm inuse1").Stderr, StringComparison.Ordinal);
        Assert.Equal("inuse1\n", Engine.DockerOk("volume ls -q --filter dangling=false --filter name=inuse"));

        Engine.DockerOk("rm " + id);
        Assert.Equal("inuse1\n", Engine.DockerOk("volume rm inuse1"));
        Assert.Contains("no such volume", Engine.Docker("volume rm inuse1").Stderr, StringComparison.Ordinal);
        Assert.Equal(0, Engine.Docker("volume rm -f inuse1").ExitCode);
    }

    [RequiresRootFact]
    public void RemovingWithVolumesTakesAnonymousOnesAndKeepsNamedOnes()
    {
        Engine.DockerOk("create --name rmv1 -v named-keep:/a -v /anon busybox true");
        var anonymous = Mounts("rmv1").EnumerateArray().Single(m => m.GetProperty("Destination").GetString() == "/anon").GetProperty("Name").GetString()!;
        Engine.DockerOk("rm -v rmv1");
        Assert.Contains("named-keep", VolumeNames());
        Assert.DoesNotContain(anonymous, VolumeNames());

        Engine.DockerOk("create --name rm-plain -v /anon2 busybox true");
        var kept = Mounts("rm-plain").EnumerateArray().Single().GetProperty("Name").GetString()!;
        Engine.DockerOk("rm rm-plain");
        Assert.Contains(kept, VolumeNames()); // without -v nothing is deleted

        var before = VolumeNames();
        Engine.DockerOk("run --rm -v /anon3 -v named-keep:/b busybox true");
        Assert.Equal(before.Order(), VolumeNames().Order()); // --rm removes its anonymous volumes like Docker

        // Prune: anonymous unused volumes by default, every unused one with --all.
        Assert.Contains(kept, Engine.DockerOk("volume prune -f"), StringComparison.Ordinal);
        Assert.Contains("named-keep", VolumeNames());
        Assert.Contains("named-keep", Engine.DockerOk("volume prune -af"), StringComparison.Ordinal);
        Assert.DoesNotContain("named-keep", VolumeNames());
    }

    [RequiresRootFact]
    public void SystemDfCountsVolumesWithSizes()
    {
        Engine.DockerOk("run --rm -v df1:/d busybox sh -c 'head -c 4096 /dev/zero > /d/f'");
        var summary = Engine.DockerOk("system df --format '{{.Type}}={{.TotalCount}}'");
        Assert.Matches(@"Local Volumes=[1-9]", summary);
        var verbose = Engine.DockerOk("system df -v");
        Assert.Matches(@"df1\s+0\s+4.096kB", verbose);
    }

    [RequiresRootFact]
    public void MissingBindSourcesAreCreatedForVolumeFlagsAndRefusedForMountFlags()
    {
        var created = Path.Combine(Engine.Root, "made-by-v", "deep");
        Engine.DockerOk($"run --rm -v {created}:/x busybox touch /x/ok");
        Assert.True(File.Exists(Path.Combine(created, "ok")));

        var missing = Path.Combine(Engine.Root, "not-there");
        var refused = Engine.Docker($"run --rm --mount type=bind,src={missing},dst=/x busybox true");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains($"bind source path does not exist: {missing}", refused.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(missing));

        var badSpec = Engine.Docker("run --rm -v bad:relative busybox true");
        Assert.NotEqual(0, badSpec.ExitCode);
    }

    [RequiresRootFact]
    public void TmpfsBackedLocalVolumeIsMountedOnlyWhileUsed()
    {
        Engine.DockerOk("volume create --opt type=tmpfs --opt device=tmpfs --opt o=size=8m --label kind=fast tmpv1");
        var data = Path.Combine(VolumesRoot, "tmpv1", "_data");
        Assert.False(IsMountPoint(data));
        var inside = Engine.DockerOk("run --rm -v tmpv1:/t busybox sh -c 'grep \" /t \" /proc/mounts; echo x > /t/f; cat /t/f'");
        Assert.Contains("tmpfs /t tmpfs", inside, StringComparison.Ordinal);
        Assert.Contains("size=8192k", inside, StringComparison.Ordinal);
        Assert.False(IsMountPoint(data)); // unmounted when its last user stopped: tmpfs data goes with it
        Assert.Equal("", Engine.DockerOk("run --rm -v tmpv1:/t busybox ls /t"));

        var options = JsonDocument.Parse(Engine.DockerOk("volume inspect -f '{{json .Options}}' tmpv1")).RootElement;
        Assert.Equal("size=8m", options.GetProperty("o").GetString());
        Assert.Equal("tmpv1\n", Engine.DockerOk("volume ls -q --filter label=kind=fast"));

        var bad = Engine.Docker("volume create --opt foo=bar bad1");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("invalid option: \"foo\"", bad.Stderr, StringComparison.Ordinal);
        var missing = Engine.Docker("volume create --opt type=tmpfs bad2");
        Assert.Contains("missing required option: \"device\"", missing.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("bad1", VolumeNames());
        Assert.DoesNotContain("bad2", VolumeNames());
        Assert.False(Directory.Exists(Path.Combine(VolumesRoot, "bad1")));
    }

    [RequiresRootFact]
    public void ARunningContainersVolumeStaysMountedAndInUseAcrossAnEngineCrash()
    {
        Engine.DockerOk("volume create --opt type=tmpfs --opt device=tmpfs --opt o=size=4m crashv1");
        var data = Path.Combine(VolumesRoot, "crashv1", "_data");
        var id = Engine.DockerOk("run -d -v crashv1:/t busybox sh -c 'echo alive > /t/f; exec sleep 300'").Trim();
        try
        {
            Assert.Equal("alive\n", Engine.DockerOk($"exec {id} sh -c 'while [ ! -s /t/f ]; do sleep 0.1; done; cat /t/f'"));
            Engine.Kill();
            Engine.Start();
            Assert.True(IsMountPoint(data)); // the running user keeps it mounted
            Assert.Equal("alive\n", File.ReadAllText(Path.Combine(data, "f")));
            Assert.Contains($"volume is in use - [{id}]", Engine.Docker("volume rm crashv1").Stderr, StringComparison.Ordinal);
            Engine.DockerOk("stop -t 0 " + id);
            Assert.False(IsMountPoint(data)); // the last user stopped
        }
        finally
        {
            Engine.Docker("rm -f " + id);
        }
        Assert.Equal("crashv1\n", Engine.DockerOk("volume rm crashv1"));
    }
}
