using System.Diagnostics;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Engine.IntegrationTests.Streams;

/// <summary>
/// Detach keys: the engine ends a tty attach or exec when the client sends the sequence (the
/// process runs on with its stdin open), refuses a bad sequence with 400, and publishes
/// detach/exec_detach; the docker CLI on a terminal detaches from run -it and attach.
/// </summary>
public sealed class DetachKeysTests(EngineFixture fixture) : IClassFixture<EngineFixture>, IDisposable
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

    private string RunShell(string name)
    {
        _containers.Add(name);
        return Engine.DockerOk($"run -dit --network none --name {name} busybox sh").Trim();
    }

    private bool Running(string name) => Engine.DockerOk("inspect -f {{.State.Running}} " + name).Trim() == "true";

    private string[] Events(string since, string id, string action) =>
        Engine.DockerOk($"events --since {since} --until {DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds()} --filter container={id} --filter event={action} --format {{{{.Action}}}}")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [RequiresRootFact]
    public void AttachEndsOnTheSequenceAndTheContainerRunsOn()
    {
        var since = DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var id = RunShell("detach-http");

        // A custom sequence: ctrl-x then x.
        using (var attach = RawApiConnection.Open(Engine.SocketPath, "POST", $"/containers/{id}/attach?stream=1&stdin=1&stdout=1&stderr=1&detachKeys=ctrl-x,x"))
        {
            Assert.Equal(101, attach.Status);
            attach.Send("echo mark-$((40+2))\n");
            attach.ReadUntil("mark-42");
            // A lone ctrl-x followed by something else is input, not a detach: the shell gets both.
            attach.Send("echo half-$((1+1))");
            attach.Send(0x18);
            attach.Send("y\n");
            attach.ReadUntil("half-2");
            attach.Send(0x18, (byte)'x');
            attach.ReadToEnd();
        }
        Assert.True(Running("detach-http"));

        // The default sequence, ctrl-p ctrl-q, in one write; the shell still has its stdin.
        using (var attach = RawApiConnection.Open(Engine.SocketPath, "POST", $"/containers/{id}/attach?stream=1&stdin=1&stdout=1&stderr=1"))
        {
            attach.Send("echo again-$((2+3))\n");
            attach.ReadUntil("again-5");
            attach.Send(0x10, 0x11);
            attach.ReadToEnd();
        }
        Assert.True(Running("detach-http"));
        Assert.Equal(["detach", "detach"], Events(since, id, "detach"));
    }

    [RequiresRootFact]
    public void WithoutATtyTheKeysAreOrdinaryInput()
    {
        _containers.Add("detach-notty");
        var id = Engine.DockerOk("run -di --network none --name detach-notty busybox cat").Trim();
        using (var attach = RawApiConnection.Open(Engine.SocketPath, "POST", $"/containers/{id}/attach?stream=1&stdin=1&stdout=1&stderr=1"))
        {
            Assert.Equal(101, attach.Status);
            // As in Docker, only a tty attach watches for the sequence: cat echoes it back.
            attach.Send(0x10, 0x11);
            attach.Send("plain\n");
            attach.ReadUntil("plain");
            Assert.Contains("\u0010\u0011plain", attach.Received, StringComparison.Ordinal);
        }
        Assert.True(Running("detach-notty"));
    }

    [RequiresRootFact]
    public void ABadSequenceIsA400BeforeTheUpgrade()
    {
        var id = RunShell("detach-bad");
        using (var attach = RawApiConnection.Open(Engine.SocketPath, "POST", $"/containers/{id}/attach?stream=1&stdin=1&stdout=1&detachKeys=ctrl-1"))
        {
            Assert.Equal(400, attach.Status);
            attach.ReadUntil("Invalid detach keys (ctrl-1) provided");
        }

        using var create = RawApiConnection.Open(Engine.SocketPath, "POST", $"/containers/{id}/exec",
            """{"Cmd":["sh"],"AttachStdin":true,"AttachStdout":true,"Tty":true,"DetachKeys":"meta-q"}""");
        Assert.Equal(400, create.Status);
        create.ReadUntil("Invalid detach keys (meta-q) provided");
    }

    [RequiresRootFact]
    public void ExecEndsOnTheSequenceAndTheProcessRunsOn()
    {
        var since = DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var id = RunShell("detach-exec");
        string execId;
        using (var create = RawApiConnection.Open(Engine.SocketPath, "POST", $"/containers/{id}/exec",
            """{"Cmd":["sh"],"AttachStdin":true,"AttachStdout":true,"AttachStderr":true,"Tty":true,"DetachKeys":"ctrl-e"}"""))
        {
            Assert.Equal(201, create.Status);
            create.ReadUntil("}");
            execId = System.Text.Json.JsonDocument.Parse(create.Received[create.Received.IndexOf('{', StringComparison.Ordinal)..]).RootElement.GetProperty("Id").GetString()!;
        }
        using (var start = RawApiConnection.Open(Engine.SocketPath, "POST", $"/exec/{execId}/start", """{"Detach":false,"Tty":true}"""))
        {
            Assert.Equal(101, start.Status);
            start.Send("echo exec-$((3+4))\n");
            start.ReadUntil("exec-7");
            start.Send(0x05);
            start.ReadToEnd();
        }
        var inspect = System.Text.Json.JsonDocument.Parse(Engine.DockerOk("inspect " + id)).RootElement[0];
        Assert.True(inspect.GetProperty("State").GetProperty("Running").GetBoolean());
        // The exec's shell still runs (its stdin was not closed): two sh processes in the container.
        var processes = Engine.DockerOk("top detach-exec").Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.True(processes.Count(p => p.TrimEnd().EndsWith(" sh", StringComparison.Ordinal)) >= 2, string.Join('\n', processes));
        Assert.Equal(["exec_detach"], Events(since, id, "exec_detach"));
    }

    /// <summary>Runs the docker CLI on a pseudo-terminal through pty-run.py; returns its report (first line "exit N").</summary>
    private string OnTerminal(string[] steps, string dockerArguments)
    {
        var info = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Streams", "pty-run.py"));
        foreach (var step in steps)
        {
            info.ArgumentList.Add(step);
        }
        info.ArgumentList.Add("--");
        info.ArgumentList.Add(EngineProcess.DockerCli);
        info.ArgumentList.Add("-H");
        info.ArgumentList.Add("unix://" + Engine.SocketPath);
        foreach (var arg in dockerArguments.Split(' '))
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["DOCKER_CONFIG"] = Path.Combine(Engine.Root, "docker-config");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return stdout.Result + stderr.Result;
    }

    [RequiresRootFact]
    public void TheDockerCliDetachesFromRunAndAttachOnATerminal()
    {
        _containers.Add("detach-cli");
        var run = OnTerminal(["# ", "echo cli-$((5+6))\n", "cli-11", "\\x10\\x11"], "run -it --network none --name detach-cli busybox sh");
        Assert.True(run.StartsWith("exit 0\n", StringComparison.Ordinal), run);
        Assert.True(Running("detach-cli"));

        // docker attach with its own keys; the shell kept its state (a variable set before).
        // docker attach reports a detach as "read escape sequence" with exit 1 (the CLI's own way, with dockerd too).
        var attach = OnTerminal(["", "X=kept; echo var-$X\n", "var-kept", "\\x01b"], "attach --detach-keys ctrl-a,b detach-cli");
        Assert.True(attach.StartsWith("exit 1\n", StringComparison.Ordinal) && attach.Contains("read escape sequence", StringComparison.Ordinal), attach);
        Assert.True(Running("detach-cli"));
        var again = OnTerminal(["", "echo still-$X\n", "still-kept", "\\x10\\x11"], "attach detach-cli");
        Assert.True(again.StartsWith("exit 1\n", StringComparison.Ordinal) && again.Contains("read escape sequence", StringComparison.Ordinal), again);
        Assert.True(Running("detach-cli"));
    }
}
