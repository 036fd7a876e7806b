using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Engine.IntegrationTests.Archive;

/// <summary>docker commit through the real docker CLI: the new layer, its history entry, --change, pause.</summary>
public sealed class CommitCliTests(EngineFixture fixture) : IClassFixture<EngineFixture>, IDisposable
{
    private readonly List<string> _containers = [];
    private readonly List<string> _images = [];

    private EngineProcess Engine => fixture.Engine!;

    public void Dispose()
    {
        if (_containers.Count > 0)
        {
            Engine.Docker("rm -f " + string.Join(' ', _containers));
        }
        if (_images.Count > 0)
        {
            Engine.Docker("rmi -f " + string.Join(' ', _images));
        }
    }

    [RequiresRootFact]
    public void CommittedFilesRunInTheNewImageAndHistoryShowsTheComment()
    {
        _containers.Add("commit-src");
        Engine.DockerOk("run -d --network none --name commit-src -e KEEP=1 busybox sleep 300");
        Engine.DockerOk("exec commit-src sh -c 'mkdir -p /data && echo committed > /data/c.txt && rm /etc/group'");

        _images.Add("committed:v1");
        var id = Engine.DockerOk("commit -m 'a comment' -a 'Tester <t@example.com>' --change 'CMD [\"cat\",\"/data/c.txt\"]' --change 'ENV KEEP=2' commit-src committed:v1").Trim();
        Assert.StartsWith("sha256:", id, StringComparison.Ordinal);
        Assert.Equal("running", Engine.DockerOk("inspect -f {{.State.Status}} commit-src").Trim()); // unpaused after

        Assert.Equal("committed\n", Engine.DockerOk("run --rm --network none committed:v1"));
        Assert.Equal("2\n", Engine.DockerOk("run --rm --network none committed:v1 sh -c 'echo $KEEP'"));
        var missing = Engine.Docker("run --rm --network none committed:v1 cat /etc/group");
        Assert.NotEqual(0, missing.ExitCode); // the deletion is a whiteout in the new layer

        var history = Engine.DockerOk("history --no-trunc --format '{{.CreatedBy}}|{{.Comment}}' committed:v1").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("sleep 300|a comment", history[0]);
        Assert.Equal(Engine.DockerOk("history -q busybox").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length + 1, history.Length);

        Assert.Equal("[\"cat\",\"/data/c.txt\"]|a comment|Tester <t@example.com>",
            Engine.DockerOk("inspect -f '{{json .Config.Cmd}}|{{.Comment}}|{{.Author}}' committed:v1").Trim());

        var events = Engine.DockerOk("events --since 5m --until " + DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds() + " --filter container=commit-src --format '{{.Action}}'");
        Assert.Contains("pause\nunpause\ncommit\n", events, StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public void EntrypointChangeClearsTheInheritedCmdAndPauseFalseLeavesItRunning()
    {
        _containers.Add("commit-ep");
        Engine.DockerOk("run -d --network none --name commit-ep busybox sleep 300");
        var id = Engine.DockerOk("commit --pause=false --change 'ENTRYPOINT [\"echo\",\"from-entrypoint\"]' commit-ep").Trim();
        _images.Add(id);
        Assert.Equal("null", Engine.DockerOk($"inspect -f '{{{{json .Config.Cmd}}}}' {id}").Trim());
        Assert.Equal("from-entrypoint\n", Engine.DockerOk($"run --rm --network none {id}"));
        var events = Engine.DockerOk("events --since 5m --until " + DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds() + " --filter container=commit-ep --format '{{.Action}}'");
        Assert.DoesNotContain("pause", events, StringComparison.Ordinal);
        Assert.Contains("commit", events, StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public void CommitOfAStoppedContainerAndBadInput()
    {
        _containers.Add("commit-stopped");
        Engine.DockerOk("create --network none --name commit-stopped busybox true");
        Engine.DockerOk("cp /etc/hostname commit-stopped:/from-cp");
        _images.Add("committed:stopped");
        Engine.DockerOk("commit commit-stopped committed:stopped");
        Assert.Equal(File.ReadAllText("/etc/hostname"), Engine.DockerOk("run --rm --network none committed:stopped cat /from-cp"));

        var unknown = Engine.Docker("commit no-such-container");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("No such container: no-such-container", unknown.Stderr, StringComparison.Ordinal);

        var badChange = Engine.Docker("commit --change 'FROB x' commit-stopped");
        Assert.Equal(1, badChange.ExitCode);
        Assert.Contains("FROB is not a valid change command", badChange.Stderr, StringComparison.Ordinal);
    }
}
