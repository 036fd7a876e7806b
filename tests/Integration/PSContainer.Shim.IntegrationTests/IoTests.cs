using System.Text;
using PSContainer.ShimApi;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Shim.IntegrationTests;

public sealed class IoTests
{
    [RequiresRootFact]
    public async Task StdinIsPipedToCatAndItsOutputReachesAttachAndLog()
    {
        var (container, client) = await ShimTestContainer.RunAsync(["cat"], openStdin: true);
        await using var _ = container;
        await using var __ = client;
        await using var attach = await client.AttachAsync(new AttachRequest(container.Id, Stdin: true));

        await attach.WriteStdinAsync("hello shim\n"u8.ToArray());
        var output = new StringBuilder();
        ExitResult? exit = null;
        var closed = false;
        while (await attach.ReadFrameAsync() is { } frame)
        {
            if (frame.Kind == AttachFrameKind.Exit)
            {
                exit = ShimAttachSession.ParseExit(frame);
                break;
            }
            output.Append(Encoding.UTF8.GetString(frame.Payload.Span));
            if (!closed && output.ToString().Contains('\n', StringComparison.Ordinal))
            {
                await client.CloseIOAsync();
                closed = true;
            }
        }

        Assert.Equal("hello shim\n", output.ToString());
        Assert.NotNull(exit);
        Assert.Equal(0, exit.ExitCode);
        Assert.Equal("hello shim\n", container.LogText());
    }

    [RequiresRootFact]
    public async Task StdoutAndStderrAreLoggedAsJsonFileEntries()
    {
        var (container, client) = await ShimTestContainer.RunAsync(["sh", "-c", "echo out; echo err >&2; printf tail"]);
        await using var _ = container;
        await using var __ = client;

        await client.WaitAsync();

        var log = container.ReadLog();
        Assert.Contains(log, e => e is { Log: "out\n", Stream: "stdout" });
        Assert.Contains(log, e => e is { Log: "err\n", Stream: "stderr" });
        // The unterminated rest is logged at the end of the stream, without a newline, as Docker does.
        Assert.Contains(log, e => e is { Log: "tail", Stream: "stdout" });
        Assert.All(log, e => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$", e.Time));
    }

    [RequiresRootFact]
    public async Task TerminalGetsResizedAndOutputIsLogged()
    {
        var (container, client) = await ShimTestContainer.RunAsync(["sh", "-c", "read go; stty size; exit 3"], terminal: true, openStdin: true);
        await using var _ = container;
        await using var __ = client;

        await client.ResizePtyAsync(width: 123, height: 45);
        await using (var attach = await client.AttachAsync(new AttachRequest(container.Id, Stdin: true)))
        {
            await attach.WriteStdinAsync("go\n"u8.ToArray());
            var exit = await client.WaitAsync();
            Assert.Equal(3, exit.ExitCode);
        }

        Assert.Contains("45 123", container.LogText(), StringComparison.Ordinal);
        Assert.True((await client.StateAsync()).Terminal);
    }

    [RequiresRootFact]
    public async Task OneMebibyteInOneBurstIsLoggedCompletely()
    {
        const string Line = "abcdefghijklmnopqrstuvwxyz0123456789";
        var (container, client) = await ShimTestContainer.RunAsync(["sh", "-c", $"yes {Line} | head -c 1048576"]);
        await using var _ = container;
        await using var __ = client;

        Assert.Equal(0, (await client.WaitAsync()).ExitCode);

        var text = container.LogText();
        Assert.Equal(1048576, text.Length);
        var lines = text.Split('\n');
        Assert.Equal(1048576 / (Line.Length + 1), lines.Length - 1);
        Assert.All(lines[..^1], l => Assert.Equal(Line, l));
        Assert.Equal(Line[..(1048576 % (Line.Length + 1))], lines[^1]);
    }

    [RequiresRootFact]
    public async Task SlowLineByLineWriterHasEveryLineInOrder()
    {
        var (container, client) = await ShimTestContainer.RunAsync(
            ["sh", "-c", "i=0; while [ $i -lt 40 ]; do echo line $i; i=$((i+1)); sleep 0.02; done"]);
        await using var _ = container;
        await using var __ = client;

        await client.WaitAsync();

        var entries = container.ReadLog();
        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"line {i}\n"), entries.Select(e => e.Log));
    }

    [RequiresRootFact]
    public async Task LongLinesAreSplitLikeDocker()
    {
        var (container, client) = await ShimTestContainer.RunAsync(["sh", "-c", "head -c 40000 /dev/zero | tr '\\0' a; echo"]);
        await using var _ = container;
        await using var __ = client;

        await client.WaitAsync();

        var entries = container.ReadLog().Select(e => e.Log).ToList();
        Assert.Equal([16384, 16384, 40000 - 32768 + 1], entries.Select(e => e.Length));
        Assert.EndsWith("\n", entries[^1], StringComparison.Ordinal);
        Assert.DoesNotContain("\n", entries[0], StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public async Task LogRotatesBySizeAndKeepsMaxFiles()
    {
        var (container, client) = await ShimTestContainer.RunAsync(
            ["sh", "-c", "i=0; while [ $i -lt 3000 ]; do echo line-$i; i=$((i+1)); done"], logMaxSize: 20000, logMaxFiles: 3);
        await using var _ = container;
        await using var __ = client;

        await client.WaitAsync();

        Assert.True(File.Exists(container.LogPath + ".1"));
        Assert.True(File.Exists(container.LogPath + ".2"));
        Assert.False(File.Exists(container.LogPath + ".3"));
        foreach (var file in new[] { container.LogPath, container.LogPath + ".1", container.LogPath + ".2" })
        {
            Assert.InRange(new FileInfo(file).Length, 1, 20000);
        }
        // What is kept is the newest output, contiguous, ending with the last line.
        var numbers = container.ReadLog().Select(e => int.Parse(e.Log["line-".Length..^1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(2999, numbers[^1]);
        Assert.Equal(Enumerable.Range(numbers[0], numbers.Count), numbers);
    }

    [RequiresRootFact]
    public async Task ExecReportsItsOutputAndExitCode()
    {
        var (container, client) = await ShimTestContainer.RunAsync(["sleep", "1000"]);
        await using var _ = container;
        await using var __ = client;
        using var process = System.Text.Json.JsonDocument.Parse("""
            {"args":["sh","-c","echo from-exec; echo oops >&2; exit 7"],"cwd":"/","env":["PATH=/bin:/usr/bin"],"user":{"uid":0,"gid":0}}
            """);

        await client.ExecAsync("e1", process.RootElement);
        var startPid = await client.StartAsync("e1");
        var exit = await client.WaitAsync("e1");
        // Output made before anyone attached is kept for the first reader.
        await using var attach = await client.AttachAsync(new AttachRequest(container.Id, "e1"));
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        ExitResult? attachedExit = null;
        while (await attach.ReadFrameAsync() is { } frame)
        {
            switch (frame.Kind)
            {
                case AttachFrameKind.Stdout: stdout.Append(Encoding.UTF8.GetString(frame.Payload.Span)); break;
                case AttachFrameKind.Stderr: stderr.Append(Encoding.UTF8.GetString(frame.Payload.Span)); break;
                case AttachFrameKind.Exit: attachedExit = ShimAttachSession.ParseExit(frame); break;
            }
        }

        Assert.Equal(7, exit.ExitCode);
        Assert.Equal(startPid, exit.Pid);
        Assert.Equal("from-exec\n", stdout.ToString());
        Assert.Equal("oops\n", stderr.ToString());
        Assert.Equal(7, attachedExit?.ExitCode);
        Assert.Equal(ProcessStatus.Stopped, (await client.StateAsync("e1")).Status);
        Assert.Equal(7, (await client.DeleteAsync("e1")).ExitCode);
        Assert.Equal(ShimErrorCode.NotFound, (await Assert.ThrowsAsync<ShimException>(() => client.StateAsync("e1"))).Code);
        Assert.DoesNotContain("from-exec", container.LogText(), StringComparison.Ordinal);
        await client.KillAsync(9);
        await client.WaitAsync();
    }

    [RequiresRootFact]
    public async Task SeveralReadersAttachAtOnce()
    {
        var (container, client) = await ShimTestContainer.RunAsync(["sh", "-c", "read go; echo shared; exit 0"], openStdin: true);
        await using var _ = container;
        await using var __ = client;
        await using var first = await client.AttachAsync(new AttachRequest(container.Id, Stdin: true));
        await using var second = await client.AttachAsync(new AttachRequest(container.Id));

        await first.WriteStdinAsync("go\n"u8.ToArray());

        foreach (var reader in new[] { first, second })
        {
            var text = new StringBuilder();
            while (await reader.ReadFrameAsync() is { } frame && frame.Kind != AttachFrameKind.Exit)
            {
                text.Append(Encoding.UTF8.GetString(frame.Payload.Span));
            }
            Assert.Equal("shared\n", text.ToString());
        }
    }

    [RequiresRootFact]
    public async Task ExecWithTerminalGetsAPtyAndItsEventsAreInOrder()
    {
        var container = await ShimTestContainer.CreateBundleAsync(["sleep", "1000"]);
        await using var _ = container;
        await using var listener = container.RecordEvents();
        var (received, eventsSocket) = (listener.Received, listener.Socket);
        await using var client = await container.StartShimAsync(eventsSocket);
        await client.CreateAsync(new CreateRequest(container.Id));
        await client.StartAsync();
        using var process = System.Text.Json.JsonDocument.Parse("""
            {"args":["sh","-c","read go; tty; stty size; exit 2"],"cwd":"/","env":["PATH=/bin:/usr/bin"],"user":{"uid":0,"gid":0}}
            """);

        await client.ExecAsync("t1", process.RootElement, terminal: true, openStdin: true);
        await using var attach = await client.AttachAsync(new AttachRequest(container.Id, "t1", Stdin: true));
        await client.StartAsync("t1");
        await client.ResizePtyAsync(width: 77, height: 33, execId: "t1");
        await attach.WriteStdinAsync("go\n"u8.ToArray());
        var output = new StringBuilder();
        ExitResult? exit = null;
        while (await attach.ReadFrameAsync() is { } frame)
        {
            if (frame.Kind == AttachFrameKind.Exit)
            {
                exit = ShimAttachSession.ParseExit(frame);
                break;
            }
            output.Append(Encoding.UTF8.GetString(frame.Payload.Span));
        }

        Assert.Equal(2, exit?.ExitCode);
        Assert.Contains("/dev/pts/", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("33 77", output.ToString(), StringComparison.Ordinal);
        await Eventually.TrueAsync(() => { lock (received) { return received.Any(e => e.Type == ShimEventType.ExecExit); } }, "ExecExit arrives");
        lock (received)
        {
            Assert.Equal([ShimEventType.TaskCreate, ShimEventType.TaskStart, ShimEventType.ExecAdded, ShimEventType.ExecStarted, ShimEventType.ExecExit],
                received.Select(e => e.Type));
            Assert.Equal(2, received[^1].ExitCode);
            Assert.Equal("t1", received[^1].ExecId);
        }
        await client.KillAsync(9);
        await client.WaitAsync();
    }
}
