using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Engine.IntegrationTests.Archive;

/// <summary>Output shapes the docker CLI audit found different from dockerd, checked through the real CLI.</summary>
public sealed class CliShapeTests(EngineFixture fixture) : IClassFixture<EngineFixture>, IDisposable
{
    private readonly List<string> _containers = [];

    private EngineProcess Engine => fixture.Engine!;

    public void Dispose()
    {
        if (_containers.Count > 0)
        {
            Engine.Docker("rm -f " + string.Join(' ', _containers));
        }
    }

    [RequiresRootFact]
    public void AMissingWorkingDirectoryIsCreatedAndAFileInItsPlaceIsRefused()
    {
        _containers.AddRange(["shape-wd", "shape-wd-file"]);
        Assert.Equal("/made/here\n", Engine.DockerOk("run --name shape-wd --network none -w /made/here busybox pwd"));
        var file = Engine.Docker("run --name shape-wd-file --network none -w /etc/passwd busybox pwd");
        Assert.NotEqual(0, file.ExitCode);
        Assert.Contains("Cannot mkdir: /etc/passwd is not a directory", file.Stderr, StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public void PsSizeTopHostnameAndDiffLookLikeDockers()
    {
        _containers.Add("shape-run");
        var id = Engine.DockerOk("run -d --network none --name shape-run busybox sleep 300").Trim();
        Assert.StartsWith("0B (virtual ", Engine.DockerOk("ps -s --filter name=shape-run --format {{.Size}}"), StringComparison.Ordinal);
        Assert.Equal(id[..12], Engine.DockerOk("inspect -f {{.Config.Hostname}} shape-run").Trim());
        var top = Engine.DockerOk("top shape-run").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("root ", top[1], StringComparison.Ordinal);

        Engine.DockerOk("exec shape-run sh -c 'echo 12345 > /tmp/x'");
        Assert.Equal("C /tmp\nA /tmp/x\n", Engine.DockerOk("diff shape-run"));
        Assert.StartsWith("6B (virtual ", Engine.DockerOk("ps -s --filter name=shape-run --format {{.Size}}"), StringComparison.Ordinal);
    }
}
