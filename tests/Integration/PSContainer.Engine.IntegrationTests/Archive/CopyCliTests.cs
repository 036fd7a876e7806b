using PSContainer.Interop.Linux;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Engine.IntegrationTests.Archive;

/// <summary>docker cp both ways through the real docker CLI, on running and on stopped containers.</summary>
public sealed class CopyCliTests(EngineFixture fixture) : IClassFixture<EngineFixture>, IDisposable
{
    private readonly List<string> _containers = [];
    private string? _hostDir;

    private EngineProcess Engine => fixture.Engine!;

    /// <summary>A host directory for this test with a file and a directory tree owned by 1234:2345.</summary>
    private string HostDir
    {
        get
        {
            if (_hostDir is null)
            {
                _hostDir = Path.Combine(Engine.Root, "cp-" + Guid.NewGuid().ToString("N")[..8]);
                Directory.CreateDirectory(Path.Combine(_hostDir, "tree", "inner"));
                File.WriteAllText(Path.Combine(_hostDir, "file.txt"), "from the host\n");
                File.WriteAllText(Path.Combine(_hostDir, "tree", "inner", "deep.txt"), "deep\n");
                foreach (var path in new[] { "file.txt", "tree", "tree/inner", "tree/inner/deep.txt" })
                {
                    Libc.Check(Libc.fchownat(Libc.AT_FDCWD, Path.Combine(_hostDir, path), 1234, 2345, Libc.AT_SYMLINK_NOFOLLOW), "chown", path);
                }
            }
            return _hostDir;
        }
    }

    private string Run(string name, string arguments)
    {
        _containers.Add(name);
        return Engine.DockerOk($"run -d --network none --name {name} {arguments}").Trim();
    }

    private string Create(string name, string arguments)
    {
        _containers.Add(name);
        return Engine.DockerOk($"create --network none --name {name} {arguments}").Trim();
    }

    public void Dispose()
    {
        if (_containers.Count > 0)
        {
            Engine.Docker("rm -f " + string.Join(' ', _containers));
        }
        if (_hostDir is not null && Directory.Exists(_hostDir))
        {
            Directory.Delete(_hostDir, recursive: true);
        }
    }

    private static string[] TemporaryMounts() =>
        [.. File.ReadAllLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4]).Where(m => m.Contains("/psc-cp-", StringComparison.Ordinal))];

    [RequiresRootFact]
    public void CopiesAFileAndADirectoryIntoAndOutOfARunningContainer()
    {
        Run("cp-run", "busybox sleep 300");
        Engine.DockerOk($"cp {HostDir}/file.txt cp-run:/tmp/");
        Engine.DockerOk($"cp {HostDir}/tree cp-run:/tmp/tree");
        Assert.Equal("from the host\n", Engine.DockerOk("exec cp-run cat /tmp/file.txt"));
        Assert.Equal("deep\n", Engine.DockerOk("exec cp-run cat /tmp/tree/inner/deep.txt"));

        Engine.DockerOk("exec cp-run sh -c 'mkdir -p /made/sub && echo made > /made/sub/m.txt'");
        var outDir = Path.Combine(HostDir, "out");
        Directory.CreateDirectory(outDir);
        Engine.DockerOk($"cp cp-run:/made {outDir}/");
        Engine.DockerOk($"cp cp-run:/etc/passwd {outDir}/passwd-copy");
        Assert.Equal("made\n", File.ReadAllText(Path.Combine(outDir, "made", "sub", "m.txt")));
        Assert.StartsWith("root:", File.ReadAllText(Path.Combine(outDir, "passwd-copy")), StringComparison.Ordinal);

        // The bind-mounted /etc/hostname is what the running container sees.
        var id = Engine.DockerOk("inspect -f {{.Id}} cp-run").Trim();
        Engine.DockerOk($"cp cp-run:/etc/hostname {outDir}/hostname");
        Assert.Equal(id[..12], File.ReadAllText(Path.Combine(outDir, "hostname")).Trim());
    }

    [RequiresRootFact]
    public void CopiesIntoAndOutOfAStoppedContainerAndUnmountsAfter()
    {
        Create("cp-stopped", "busybox cat /data/file.txt /data/inner/deep.txt");
        Engine.DockerOk($"cp {HostDir}/file.txt cp-stopped:/tmp/");
        Engine.DockerOk("cp cp-stopped:/tmp/file.txt " + Path.Combine(HostDir, "back.txt"));
        Assert.Equal("from the host\n", File.ReadAllText(Path.Combine(HostDir, "back.txt")));

        var missingParent = Engine.Docker($"cp {HostDir}/file.txt cp-stopped:/data/");
        Assert.NotEqual(0, missingParent.ExitCode);
        Engine.DockerOk("cp cp-stopped:/tmp/. " + Path.Combine(HostDir, "tmp-contents"));
        Assert.True(File.Exists(Path.Combine(HostDir, "tmp-contents", "file.txt")));

        // A directory copied to a path that does not exist yet takes that name (/data = tree's contents).
        Engine.DockerOk($"cp {HostDir}/tree cp-stopped:/data");
        Engine.DockerOk($"cp {HostDir}/file.txt cp-stopped:/data/file.txt");
        Assert.Empty(TemporaryMounts());

        var run = Engine.Docker("start -a cp-stopped");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("from the host\ndeep\n", run.Stdout);

        // Exited (not only created) works the same.
        Engine.DockerOk("cp cp-stopped:/data/inner/deep.txt " + Path.Combine(HostDir, "deep-back.txt"));
        Assert.Equal("deep\n", File.ReadAllText(Path.Combine(HostDir, "deep-back.txt")));
        Assert.Empty(TemporaryMounts());
    }

    [RequiresRootFact]
    public void OwnershipIsKeptAndArchiveModeUsesTheContainerUser()
    {
        Run("cp-owner", "-u 65534:65534 busybox sleep 300");
        Engine.DockerOk($"cp {HostDir}/tree cp-owner:/tmp/plain");
        Engine.DockerOk($"cp -a {HostDir}/tree cp-owner:/tmp/archived");
        Assert.Equal("1234:2345\n", Engine.DockerOk("exec cp-owner stat -c %u:%g /tmp/plain/inner/deep.txt"));
        Assert.Equal("65534:65534\n", Engine.DockerOk("exec cp-owner stat -c %u:%g /tmp/archived/inner/deep.txt"));
        Assert.Equal("65534:65534\n", Engine.DockerOk("exec cp-owner stat -c %u:%g /tmp/archived/inner"));

        // Out of the container the archive carries the owners, but the docker CLI creates the
        // files as the user running it (it never chowns on the host, -a or not).
        var outDir = Path.Combine(HostDir, "owned-out");
        Engine.DockerOk($"cp -a cp-owner:/tmp/plain {outDir}");
        var st = FileStatOf(Path.Combine(outDir, "inner", "deep.txt"));
        Assert.Equal((Libc.geteuid(), Libc.geteuid()), (st.Uid, st.Gid));
    }

    private static unsafe Libc.Statx FileStatOf(string path)
    {
        Libc.Statx st;
        Libc.Check(Libc.statx(Libc.AT_FDCWD, path, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, &st), "statx", path);
        return st;
    }

    [RequiresRootFact]
    public void MissingPathsAndWrongKindsFailWithDockersMessages()
    {
        Run("cp-errors", "busybox sleep 300");
        var missingParent = Engine.Docker($"cp {HostDir}/file.txt cp-errors:/nonexist/dir/file.txt");
        Assert.Equal(1, missingParent.ExitCode);
        Assert.Contains("Could not find the file /nonexist/dir in container cp-errors", missingParent.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("closed pipe", missingParent.Stderr, StringComparison.Ordinal);

        var missingSource = Engine.Docker($"cp cp-errors:/no/such/file {HostDir}/x");
        Assert.Equal(1, missingSource.ExitCode);
        Assert.Contains("Could not find the file /no/such/file in container cp-errors", missingSource.Stderr, StringComparison.Ordinal);

        var notADirectory = Engine.Docker($"cp cp-errors:/etc/passwd/x {HostDir}/x");
        Assert.Equal(1, notADirectory.ExitCode);
        Assert.Contains("not a directory", notADirectory.Stderr, StringComparison.Ordinal);

        Engine.DockerOk("exec cp-errors mkdir -p /tmp/d/file.txt");
        var dirByFile = Engine.Docker($"cp {HostDir}/file.txt cp-errors:/tmp/d/");
        Assert.Equal(1, dirByFile.ExitCode);
        Assert.Contains("cannot overwrite directory \"/tmp/d/file.txt\" with non-directory \"/tmp/d\"", dirByFile.Stderr, StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public void SymlinksThatClimbOutStayInsideTheContainer()
    {
        var marker = "psc-cp-escape-" + Guid.NewGuid().ToString("N")[..8];
        Run("cp-escape", "busybox sleep 300");
        Engine.DockerOk("exec cp-escape sh -c 'ln -s ../../../../../../.. /tmp/up && ln -s / /tmp/abs && echo inside > /inside.txt'");
        try
        {
            Engine.DockerOk($"cp {HostDir}/file.txt cp-escape:/tmp/up/{marker}");
            Engine.DockerOk($"cp {HostDir}/file.txt cp-escape:/tmp/abs/tmp/");
            Assert.False(File.Exists("/" + marker), "the copy escaped to the host's root");
            Assert.Equal("from the host\n", Engine.DockerOk($"exec cp-escape cat /{marker}"));
            Assert.Equal("from the host\n", Engine.DockerOk("exec cp-escape cat /tmp/file.txt"));

            Engine.DockerOk($"cp cp-escape:/tmp/up/inside.txt {HostDir}/inside.txt");
            Assert.Equal("inside\n", File.ReadAllText(Path.Combine(HostDir, "inside.txt")));
        }
        finally
        {
            File.Delete("/" + marker);
        }
    }

    [RequiresRootFact]
    public void ReadOnlyRootfsRefusesCopiesExceptIntoWritableMounts()
    {
        var rw = Path.Combine(HostDir, "rw");
        var ro = Path.Combine(HostDir, "ro");
        Directory.CreateDirectory(rw);
        Directory.CreateDirectory(ro);
        Run("cp-readonly", $"--read-only -v {rw}:/rw -v {ro}:/ro:ro busybox sleep 300");

        var rootfs = Engine.Docker($"cp {HostDir}/file.txt cp-readonly:/tmp/");
        Assert.Equal(1, rootfs.ExitCode);
        Assert.Contains("container rootfs is marked read-only", rootfs.Stderr, StringComparison.Ordinal);

        var readOnlyMount = Engine.Docker($"cp {HostDir}/file.txt cp-readonly:/ro/");
        Assert.Equal(1, readOnlyMount.ExitCode);
        Assert.Contains("mounted volume is marked read-only", readOnlyMount.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(ro));

        Engine.DockerOk($"cp {HostDir}/file.txt cp-readonly:/rw/");
        Assert.Equal("from the host\n", File.ReadAllText(Path.Combine(rw, "file.txt")));
    }
}
