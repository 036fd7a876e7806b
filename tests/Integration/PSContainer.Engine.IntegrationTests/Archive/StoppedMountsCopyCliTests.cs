using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Engine.IntegrationTests.Archive;

/// <summary>
/// docker cp on a stopped container sees its volumes and binds at their destinations, both ways,
/// as dockerd does: a copy into a volume lands in the volume (not in the rootfs underneath), a
/// read-only bind refuses writes, symlinks inside a volume resolve inside the container, and
/// nothing stays mounted or in use afterwards.
/// </summary>
public sealed class StoppedMountsCopyCliTests(EngineFixture fixture) : IClassFixture<EngineFixture>, IDisposable
{
    private readonly List<string> _containers = [];
    private readonly List<string> _volumes = [];
    private readonly string _hostDir = Directory.CreateTempSubdirectory("psc-cpvol-").FullName;

    private EngineProcess Engine => fixture.Engine!;

    public void Dispose()
    {
        if (_containers.Count > 0)
        {
            Engine.Docker("rm -f " + string.Join(' ', _containers));
        }
        if (_volumes.Count > 0)
        {
            Engine.Docker("volume rm -f " + string.Join(' ', _volumes));
        }
        Directory.Delete(_hostDir, recursive: true);
    }

    private static string[] TemporaryMounts() =>
        [.. File.ReadAllLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4]).Where(m => m.Contains("/psc-cp-", StringComparison.Ordinal))];

    [RequiresRootFact]
    public void CopiesReachVolumesAndBindsOfAStoppedContainer()
    {
        var bind = Path.Combine(_hostDir, "bind");
        var readOnly = Path.Combine(_hostDir, "ro");
        Directory.CreateDirectory(bind);
        Directory.CreateDirectory(readOnly);
        File.WriteAllText(Path.Combine(bind, "from-host.txt"), "bind content\n");
        File.WriteAllText(Path.Combine(readOnly, "ro.txt"), "read-only content\n");
        File.WriteAllText(Path.Combine(_hostDir, "in.txt"), "copied in\n");
        var volume = "cpvol-" + Guid.NewGuid().ToString("N")[..8];
        _volumes.Add(volume);
        _containers.Add("cp-mounts");
        Engine.DockerOk($"create --network none --name cp-mounts -v {volume}:/vol -v {bind}:/data/bind -v {readOnly}:/ro:ro busybox " +
            "cat /vol/in.txt /data/bind/in.txt /data/bind/from-host.txt");

        // PUT into a named volume and into a bind, never started.
        Engine.DockerOk($"cp {_hostDir}/in.txt cp-mounts:/vol/");
        Engine.DockerOk($"cp {_hostDir}/in.txt cp-mounts:/data/bind/");
        Assert.Equal("copied in\n", File.ReadAllText(Path.Combine(bind, "in.txt")));
        var volumeData = Engine.DockerOk("volume inspect -f {{.Mountpoint}} " + volume).Trim();
        Assert.Equal("copied in\n", File.ReadAllText(Path.Combine(volumeData, "in.txt")));

        // GET from a bind and from a read-only bind; PUT into the read-only one is refused.
        Engine.DockerOk($"cp cp-mounts:/data/bind/from-host.txt {_hostDir}/back.txt");
        Assert.Equal("bind content\n", File.ReadAllText(Path.Combine(_hostDir, "back.txt")));
        Engine.DockerOk($"cp cp-mounts:/ro/ro.txt {_hostDir}/ro-back.txt");
        Assert.Equal("read-only content\n", File.ReadAllText(Path.Combine(_hostDir, "ro-back.txt")));
        var refused = Engine.Docker($"cp {_hostDir}/in.txt cp-mounts:/ro/");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("mounted volume is marked read-only", refused.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(readOnly, "in.txt")));
        Assert.Empty(TemporaryMounts());

        // The container sees what was copied: it went to the mounts, not to the rootfs below them.
        var run = Engine.Docker("start -a cp-mounts");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("copied in\ncopied in\nbind content\n", run.Stdout);

        // Exited: a file the container's volume holds comes out; the volume is free to remove after rm.
        File.WriteAllText(Path.Combine(volumeData, "later.txt"), "later\n");
        Engine.DockerOk($"cp cp-mounts:/vol/later.txt {_hostDir}/later.txt");
        Assert.Equal("later\n", File.ReadAllText(Path.Combine(_hostDir, "later.txt")));
        Assert.Empty(TemporaryMounts());
        Engine.DockerOk("rm cp-mounts");
        Engine.DockerOk("volume rm " + volume);
    }

    [RequiresRootFact]
    public void ACopyIntoANeverStartedImageVolumeKeepsTheImagesContent()
    {
        Engine.DockerOk("load -i " + Storage.VolumeImage.Write(_hostDir));
        _containers.Add("cp-imagevol");
        Engine.DockerOk($"create --network none --name cp-imagevol {Storage.VolumeImage.Tag} ls /data");
        File.WriteAllText(Path.Combine(_hostDir, "added.txt"), "added\n");

        // The anonymous volume gets the image's /data first (dockerd fills it at create), then the copy.
        Engine.DockerOk($"cp cp-imagevol:/data/hello {_hostDir}/hello");
        Assert.Equal("from the image\n", File.ReadAllText(Path.Combine(_hostDir, "hello")));
        Engine.DockerOk($"cp {_hostDir}/added.txt cp-imagevol:/data/");

        var run = Engine.Docker("start -a cp-imagevol");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("added.txt\nhello\nlink\nsub\n", run.Stdout);
        Assert.Empty(TemporaryMounts());
    }

    [RequiresRootFact]
    public void ASymlinkInAVolumeResolvesInsideTheContainer()
    {
        var bind = Path.Combine(_hostDir, "links");
        Directory.CreateDirectory(bind);
        // Absolute and climbing links: on the host they would reach the host's /etc.
        File.CreateSymbolicLink(Path.Combine(bind, "etc-link"), "/etc");
        File.CreateSymbolicLink(Path.Combine(bind, "climb"), "../../../../../../etc/passwd");
        _containers.Add("cp-links");
        Engine.DockerOk($"create --network none --name cp-links -v {bind}:/mnt/links busybox true");

        var containerPasswd = Path.Combine(_hostDir, "container-passwd");
        Engine.DockerOk($"cp cp-links:/etc/passwd {containerPasswd}");
        Engine.DockerOk($"cp cp-links:/mnt/links/etc-link/passwd {_hostDir}/via-link");
        Engine.DockerOk($"cp -L cp-links:/mnt/links/climb {_hostDir}/via-climb");
        Assert.Equal(File.ReadAllText(containerPasswd), File.ReadAllText(Path.Combine(_hostDir, "via-link")));
        Assert.Equal(File.ReadAllText(containerPasswd), File.ReadAllText(Path.Combine(_hostDir, "via-climb")));

        // A copy into the link writes into the container's /etc, not the host's.
        var marker = "psc-cp-link-" + Guid.NewGuid().ToString("N")[..8];
        File.WriteAllText(Path.Combine(_hostDir, marker), "x");
        Engine.DockerOk($"cp {_hostDir}/{marker} cp-links:/mnt/links/etc-link/");
        Assert.False(File.Exists("/etc/" + marker));
        Engine.DockerOk($"cp cp-links:/etc/{marker} {_hostDir}/marker-back");
        Assert.Empty(TemporaryMounts());
    }
}
