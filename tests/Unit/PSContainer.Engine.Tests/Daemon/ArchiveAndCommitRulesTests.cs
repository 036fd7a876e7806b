using System.Text;
using System.Text.Json;
using PSContainer.Api;
using PSContainer.Engine.Api.Endpoints;
using PSContainer.Engine.Daemon.Containers;
using PSContainer.Engine.Errors;
using Xunit;

namespace PSContainer.Engine.Tests.Daemon;

/// <summary>The pure rules under docker cp and docker commit: the stat header, Go's file modes, mounts, the commit config.</summary>
public sealed class ArchiveAndCommitRulesTests
{
    [Theory]
    [InlineData(0x81A4u /* -rw-r--r-- */, 420u)]
    [InlineData(0x41EDu /* drwxr-xr-x */, 2147484141u)]
    [InlineData(0xA1FFu /* lrwxrwxrwx */, 134218239u)]
    [InlineData(0x89EDu /* -rwsr-xr-x */, (1u << 23) | 0x1EDu)]
    [InlineData(0x43FFu /* drwxrwxrwt */, (1u << 31) | (1u << 20) | 0x1FFu)]
    [InlineData(0x21B6u /* crw-rw-rw- */, (1u << 26) | (1u << 21) | 0x1B6u)]
    [InlineData(0x11A4u /* prw-r--r-- */, (1u << 25) | 0x1A4u)]
    public void UnixModesBecomeGoFileModes(uint unix, uint go) => Assert.Equal(go, GoFileMode.From(unix));

    [Fact]
    public void TheStatHeaderIsBase64OfDockersJson()
    {
        var header = ArchiveEndpoints.EncodeStat(new ContainerPathStat
        {
            Name = "passwd",
            Size = 82,
            Mode = 420,
            Mtime = ContainerService.GoTimestamp(1704067200, 0),
            LinkTarget = "",
        });
        // Byte for byte what dockerd sends for the same file.
        Assert.Equal("{\"name\":\"passwd\",\"size\":82,\"mode\":420,\"mtime\":\"2024-01-01T00:00:00Z\",\"linkTarget\":\"\"}",
            Encoding.UTF8.GetString(Convert.FromBase64String(header)));
        using var json = JsonDocument.Parse(Convert.FromBase64String(ArchiveEndpoints.EncodeStat(new ContainerPathStat { Name = "l", Mode = 134218239, LinkTarget = "/etc" })));
        Assert.Equal("/etc", json.RootElement.GetProperty("linkTarget").GetString());
    }

    [Theory]
    [InlineData(1704067200L, 0u, "2024-01-01T00:00:00Z")]
    [InlineData(1704067200L, 119482023u, "2024-01-01T00:00:00.119482023Z")]
    [InlineData(1704067200L, 500000000u, "2024-01-01T00:00:00.5Z")]
    public void TimesAreGoRfc3339Nano(long seconds, uint nanos, string expected) =>
        Assert.Equal(expected, ContainerService.GoTimestamp(seconds, nanos));

    [Fact]
    public void TheDeepestMountAtOrAboveAPathCovers()
    {
        var record = new ContainerRecord
        {
            Config = new ContainerConfig { Volumes = new() { ["/anon"] = new EmptyObject() } },
            HostConfig = new HostConfig
            {
                Binds = ["/host:/data:ro", "/host2:/data/rw:rw,rshared", "named:/named"],
                Mounts = [new PSContainer.Api.Mount { Type = "bind", Source = "/x", Target = "/m", ReadOnly = true }],
                Tmpfs = new() { ["/scratch"] = "size=1m" },
            },
        };
        Assert.Equal(new ArchiveMount("/data", true), ArchiveMounts.Covering(record, "/data/file"));
        Assert.Equal(new ArchiveMount("/data/rw", false), ArchiveMounts.Covering(record, "/data/rw/sub"));
        Assert.Equal(new ArchiveMount("/named", false), ArchiveMounts.Covering(record, "/named"));
        Assert.Equal(new ArchiveMount("/m", true), ArchiveMounts.Covering(record, "/m/a"));
        Assert.Equal(new ArchiveMount("/scratch", false), ArchiveMounts.Covering(record, "/scratch"));
        Assert.Equal(new ArchiveMount("/anon", false), ArchiveMounts.Covering(record, "/anon/x"));
        Assert.Null(ArchiveMounts.Covering(record, "/database"));
        Assert.Null(ArchiveMounts.Covering(record, "/"));
    }

    private static readonly ContainerConfig Container = new()
    {
        Env = ["PATH=/usr/bin:/bin", "KEEP=1"],
        Cmd = ["sleep", "300"],
        WorkingDir = "/work",
        Labels = new() { ["a"] = "1" },
    };

    [Fact]
    public void CommitConfigIsTheContainersWithChangesApplied()
    {
        var config = CommitService.BuildConfig(Container, null, ["CMD [\"cat\",\"/x\"]", "ENV KEEP=2", "LABEL b=2\nEXPOSE 80"]);
        Assert.Equal(["cat", "/x"], config.Cmd);
        Assert.Equal(["PATH=/usr/bin:/bin", "KEEP=2"], config.Env);
        Assert.Equal("/work", config.WorkingDir);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" }, config.Labels);
        Assert.True(config.ExposedPorts!.ContainsKey("80/tcp"));
        Assert.Equal(["sleep", "300"], Container.Cmd); // the container's own config is untouched
    }

    [Fact]
    public void EntrypointClearsAnInheritedCmdButNotOneSetBefore()
    {
        Assert.Null(CommitService.BuildConfig(Container, null, ["ENTRYPOINT [\"echo\"]"]).Cmd);
        Assert.Equal(["hi"], CommitService.BuildConfig(Container, null, ["CMD [\"hi\"]", "ENTRYPOINT [\"echo\"]"]).Cmd);
    }

    [Fact]
    public void ABodyConfigWinsAndEmptyFieldsComeFromTheContainer()
    {
        var config = CommitService.BuildConfig(Container, new ContainerConfig { Env = ["NEW=1", "KEEP=3"], User = "nobody" }, []);
        Assert.Equal("nobody", config.User);
        Assert.Equal(["sleep", "300"], config.Cmd);
        Assert.Equal("/work", config.WorkingDir);
        Assert.Equal(["PATH=/usr/bin:/bin", "KEEP=3", "NEW=1"], config.Env);
    }

    [Theory]
    [InlineData(null, null, null)]
    [InlineData("repo", null, "repo")]
    [InlineData("repo", "v1", "repo:v1")]
    [InlineData("localhost:5000/a/b", "t", "localhost:5000/a/b:t")]
    public void CommitReferences(string? repository, string? tag, string? expected) =>
        Assert.Equal(expected, CommitService.Reference(repository, tag));

    [Theory]
    [InlineData(null, "v1")]
    [InlineData("UPPER", null)]
    [InlineData("repo", "bad tag")]
    public void BadCommitReferencesAreInvalidParameters(string? repository, string? tag)
    {
        var e = Assert.Throws<EngineException>(() => CommitService.Reference(repository, tag));
        Assert.Equal(EngineErrorKind.InvalidParameter, e.Kind);
    }

    [Fact]
    public void TopShowsHostUserNamesWhereTheHostHasThem()
    {
        var passwd = Path.GetTempFileName();
        try
        {
            File.WriteAllText(passwd, "root:x:0:0:root:/root:/bin/sh\nbad-line\nnobody:x:65534:65534::/:/sbin/nologin\n");
            Assert.Equal("root", HostUserNames.For("0", passwd));
            Assert.Equal("nobody", HostUserNames.For("65534", passwd));
            Assert.Equal("1234", HostUserNames.For("1234", passwd));
            Assert.Equal("5", HostUserNames.For("5", passwd + ".missing"));
        }
        finally
        {
            File.Delete(passwd);
        }
    }
}
