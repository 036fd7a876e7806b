using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Engine.IntegrationTests;

/// <summary>The real docker CLI against psc-engine: the vertical slice and the everyday commands.</summary>
public sealed class DockerCliTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    private EngineProcess Engine => fixture.Engine!;

    [RequiresRootFact]
    public void RunRemovePrintsTheOutputAndLeavesNothing()
    {
        var result = Engine.Docker("run --rm --name rm-test busybox echo hi");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("hi\n", result.Stdout);
        Assert.DoesNotContain("rm-test", Engine.DockerOk("ps -a --format {{.Names}}"), StringComparison.Ordinal);
    }

    [RequiresRootTheory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(42)]
    public void ExitCodesPropagate(int code)
    {
        var result = Engine.Docker($"run --rm busybox sh -c 'exit {code}'");
        Assert.Equal(code, result.ExitCode);
    }

    [RequiresRootFact]
    public void StdinIsPipedToTheContainer()
    {
        var result = Engine.Docker("run -i --rm busybox cat", stdin: "hi\nthere\n");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("hi\nthere\n", result.Stdout);
    }

    [RequiresRootFact]
    public void StdoutAndStderrStaySeparate()
    {
        var result = Engine.Docker("run --rm busybox sh -c 'echo out; echo err >&2'");
        Assert.Equal("out\n", result.Stdout);
        Assert.Equal("err\n", result.Stderr);
    }

    [RequiresRootFact]
    public void EnvWorkdirAndUserApply()
    {
        var result = Engine.Docker("run --rm -e FOO=bar -w /tmp -u 65534:65534 busybox sh -c 'echo $FOO $(pwd) $(id -u) $(id -g)'");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("bar /tmp 65534 65534\n", result.Stdout);

        var named = Engine.Docker("run --rm -u nobody busybox id -un");
        Assert.Equal("nobody\n", named.Stdout);
    }

    [RequiresRootFact]
    public void EntrypointReplacesTheImageCommand()
    {
        var result = Engine.Docker("run --rm --entrypoint /bin/echo busybox from entrypoint");
        Assert.Equal("from entrypoint\n", result.Stdout);
    }

    [RequiresRootFact]
    public void ReadOnlyRootfsRefusesWrites()
    {
        var result = Engine.Docker("run --rm --read-only busybox touch /newfile");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Read-only file system", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, Engine.Docker("run --rm busybox touch /newfile").ExitCode);
    }

    [RequiresRootFact]
    public void CapDropRemovesTheCapability()
    {
        Assert.Equal(0, Engine.Docker("run --rm busybox chown 1 /tmp").ExitCode);
        var dropped = Engine.Docker("run --rm --cap-drop CHOWN busybox chown 1 /tmp");
        Assert.NotEqual(0, dropped.ExitCode);
        Assert.Contains("Operation not permitted", dropped.Stderr, StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public void DetachedContainerLifecycle()
    {
        var id = Engine.DockerOk("run -d --name lifecycle busybox sh -c 'echo started; exec sleep 100'").Trim();
        Assert.Equal(64, id.Length);

        var ps = Engine.DockerOk("ps --format '{{.ID}} {{.Names}} {{.Status}}'");
        Assert.Contains($"{id[..12]} lifecycle Up", ps, StringComparison.Ordinal);
        Assert.Equal("true", Engine.DockerOk("inspect -f {{.State.Running}} lifecycle").Trim());

        var exec = Engine.Docker("exec lifecycle sh -c 'echo in exec; exit 3'");
        Assert.Equal(3, exec.ExitCode);
        Assert.Equal("in exec\n", exec.Stdout);

        WaitForLog("lifecycle", "started\n");

        Engine.DockerOk("stop -t 1 lifecycle");
        Assert.Equal("137", Engine.DockerOk("wait lifecycle").Trim()); // sleep as pid 1 ignores SIGTERM
        Assert.Equal("exited 137", Engine.DockerOk("inspect -f '{{.State.Status}} {{.State.ExitCode}}' lifecycle").Trim());
        Assert.Contains("Exited (137)", Engine.DockerOk("ps -a --filter name=lifecycle --format {{.Status}}"), StringComparison.Ordinal);

        Engine.DockerOk("rm lifecycle");
        var gone = Engine.Docker("inspect lifecycle");
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains("No such", gone.Stderr, StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public void KillAndWaitReportTheSignal()
    {
        Engine.DockerOk("run -d --name killme busybox sleep 100");
        Engine.DockerOk("kill killme");
        Assert.Equal("137", Engine.DockerOk("wait killme").Trim());
        var again = Engine.Docker("kill killme");
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("is not running", again.Stderr, StringComparison.Ordinal);
        Engine.DockerOk("rm killme");
    }

    [RequiresRootFact]
    public void RemovingARunningContainerNeedsForce()
    {
        Engine.DockerOk("run -d --name busy busybox sleep 100");
        var refused = Engine.Docker("rm busy");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("stop the container before removing or force remove", refused.Stderr, StringComparison.Ordinal);
        Engine.DockerOk("rm -f busy");
        Assert.Equal(1, Engine.Docker("inspect busy").ExitCode);
    }

    [RequiresRootFact]
    public void NamesAreUniqueAndValidated()
    {
        Engine.DockerOk("create --name twice busybox true");
        var conflict = Engine.Docker("create --name twice busybox true");
        Assert.NotEqual(0, conflict.ExitCode);
        Assert.Contains("is already in use", conflict.Stderr, StringComparison.Ordinal);
        var invalid = Engine.Docker("create --name bad/name busybox true");
        Assert.NotEqual(0, invalid.ExitCode);
        Assert.Contains("Invalid container name", invalid.Stderr, StringComparison.Ordinal);
        Engine.DockerOk("rm twice");
    }

    [RequiresRootFact]
    public void UnknownCommandReports127LikeDocker()
    {
        var result = Engine.Docker("run --rm busybox /no/such/binary");
        Assert.Equal(127, result.ExitCode);
    }

    [RequiresRootFact]
    public void LogsSupportTailAndStreams()
    {
        Engine.DockerOk("run --name logs busybox sh -c 'echo one; echo two; echo three; echo err >&2'");
        Assert.Equal("three\n", Engine.DockerOk("logs --tail 2 logs").Split("err")[0].Replace("two\n", "", StringComparison.Ordinal));
        var all = Engine.Docker("logs logs");
        Assert.Equal("one\ntwo\nthree\n", all.Stdout);
        Assert.Equal("err\n", all.Stderr);
        var stamped = Engine.DockerOk("logs -t logs");
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z one\n", stamped);
        Engine.DockerOk("rm logs");
    }

    [RequiresRootFact]
    public void ImagesAreListedInspectedAndTagged()
    {
        Assert.Contains("busybox", Engine.DockerOk("images --format {{.Repository}}:{{.Tag}}"), StringComparison.Ordinal);
        Engine.DockerOk("tag busybox mybox:1");
        Assert.Contains("mybox:1", Engine.DockerOk("images --format {{.Repository}}:{{.Tag}}"), StringComparison.Ordinal);
        Assert.Contains("Untagged: mybox:1", Engine.DockerOk("rmi mybox:1"), StringComparison.Ordinal);
        Assert.Equal("linux", Engine.DockerOk("image inspect -f {{.Os}} busybox").Trim());
    }

    [RequiresRootFact]
    public void ImageInUseCannotBeRemovedWithoutForce()
    {
        Engine.DockerOk("tag busybox inuse:1");
        Engine.DockerOk("create --name user inuse:1 true");
        Engine.DockerOk("rmi inuse:1"); // another tag (busybox) still names the image: only untagged
        var byId = Engine.Docker("rmi " + Engine.DockerOk("image inspect -f {{.Id}} busybox").Trim());
        Assert.NotEqual(0, byId.ExitCode);
        Assert.Contains("is being used by stopped container", byId.Stderr, StringComparison.Ordinal);
        Engine.DockerOk("rm user");
    }

    private void WaitForLog(string container, string expected)
    {
        for (var i = 0; i < 100; i++)
        {
            if (Engine.DockerOk("logs " + container) == expected)
            {
                return;
            }
            Thread.Sleep(100);
        }
        Assert.Equal(expected, Engine.DockerOk("logs " + container));
    }
}

/// <summary>The file system and inspection commands: diff, export, import, stats, top, update, pause, rename, events.</summary>
public sealed class DockerCliBreadthTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    private EngineProcess Engine => fixture.Engine!;

    [RequiresRootFact]
    public void DiffExportAndImportRoundTrip()
    {
        Engine.DockerOk("run --name fs busybox sh -c 'echo x > /tmp/new; rm /bin/ls'");
        var diff = Engine.DockerOk("diff fs");
        Assert.Contains("A /tmp/new", diff, StringComparison.Ordinal);
        Assert.Contains("D /bin/ls", diff, StringComparison.Ordinal);
        Assert.DoesNotContain("/etc/hosts", diff, StringComparison.Ordinal);

        var tar = Path.Combine(Engine.Root, "fs.tar");
        Engine.DockerOk($"export -o {tar} fs");
        Engine.DockerOk($"import -c 'CMD [\"/bin/cat\",\"/tmp/new\"]' {tar} imported:1");
        Assert.Equal("x\n", Engine.DockerOk("run --rm imported:1"));
        Assert.NotEqual(0, Engine.Docker("run --rm imported:1 ls /").ExitCode); // /bin/ls was deleted before the export
        Engine.DockerOk("rm fs");
        Engine.DockerOk("rmi imported:1");
    }

    [RequiresRootFact]
    public void StatsTopUpdatePauseAndRename()
    {
        Engine.DockerOk("run -d --name busybee busybox sleep 100");
        var stats = Engine.DockerOk("stats --no-stream --format '{{.Name}} {{.PIDs}}' busybee");
        Assert.Equal("busybee 1", stats.Trim());
        Assert.Contains("sleep 100", Engine.DockerOk("top busybee"), StringComparison.Ordinal);

        Engine.DockerOk("update --memory 64m --memory-swap 128m busybee");
        Assert.Equal("67108864", Engine.DockerOk("inspect -f {{.HostConfig.Memory}} busybee").Trim());

        Engine.DockerOk("pause busybee");
        Assert.Equal("paused", Engine.DockerOk("inspect -f {{.State.Status}} busybee").Trim());
        Engine.DockerOk("unpause busybee");
        Assert.Equal("running", Engine.DockerOk("inspect -f {{.State.Status}} busybee").Trim());

        Engine.DockerOk("rename busybee honeybee");
        Assert.Equal("/honeybee", Engine.DockerOk("inspect -f {{.Name}} honeybee").Trim());
        // Events carry the name at the time they happened, so filter by id (as with Docker).
        var id = Engine.DockerOk("inspect -f {{.Id}} honeybee").Trim();
        // The CLI turns a relative --until into whole seconds, which would cut this second's
        // events: end the stream a moment from now instead (the tail is delivered live).
        var until = DateTimeOffset.UtcNow.AddSeconds(2).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var events = Engine.DockerOk($"events --since 5m --until {until} --filter container={id} --format {{{{.Action}}}}");
        Assert.Contains("pause", events, StringComparison.Ordinal);
        Assert.Contains("rename", events, StringComparison.Ordinal);
        Engine.DockerOk("rm -f honeybee");
    }

    [RequiresRootFact]
    public void RestartPolicyOnFailureRetries()
    {
        Engine.DockerOk("run -d --name flaky --restart on-failure:2 busybox sh -c 'exit 3'");
        for (var i = 0; i < 200 && Engine.DockerOk("inspect -f '{{.State.Status}} {{.RestartCount}}' flaky").Trim() != "exited 2"; i++)
        {
            Thread.Sleep(100);
        }
        Assert.Equal("exited 2", Engine.DockerOk("inspect -f '{{.State.Status}} {{.RestartCount}}' flaky").Trim());
        Assert.Equal("3", Engine.DockerOk("inspect -f {{.State.ExitCode}} flaky").Trim());
        Engine.DockerOk("rm flaky");
    }

    [RequiresRootFact]
    public void InitRunsTheCommandUnderATinyInit()
    {
        var result = Engine.Docker("run --rm --init busybox sh -c 'cat /proc/1/cmdline | tr \"\\0\" \" \"'");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("/sbin/docker-init -- sh", result.Stdout, StringComparison.Ordinal);
    }
}
