using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Engine.IntegrationTests;

/// <summary>Daemonless containers: the engine can die and come back without losing them.</summary>
public sealed class EngineRestartTests
{
    [RequiresRootFact]
    public void ContainersSurviveAnEngineKilledWithSigkill()
    {
        using var engine = new EngineProcess();
        engine.Start();
        engine.DockerOk("load -i " + TestEnvironment.Image("busybox-docker.tar"));
        engine.DockerOk("run -d --name survivor busybox sh -c 'while true; do echo tick; sleep 0.2; done'");
        engine.DockerOk("run -d -i --name stdin-exit busybox sh -c 'read x; exit 7'");

        engine.Kill();
        // While the engine is away: end one container through its shim-owned process tree.
        var pidOfStdinExit = FindContainerInitPid(engine, "stdin-exit");
        _ = PSContainer.Interop.Linux.Libc.kill(pidOfStdinExit, 9);

        engine.Start();
        var status = engine.DockerOk("inspect -f {{.State.Status}} survivor").Trim();
        Assert.True(status == "running", $"survivor is {status} after the restart; engine log:\n{engine.Log}");
        var before = engine.DockerOk("logs survivor").Length;
        WaitUntil(() => engine.DockerOk("logs survivor").Length > before);
        WaitUntil(() => engine.DockerOk("inspect -f {{.State.Status}} stdin-exit").Trim() == "exited");
        Assert.Equal("137", engine.DockerOk("inspect -f {{.State.ExitCode}} stdin-exit").Trim());

        engine.DockerOk("kill survivor");
        Assert.Equal("137", engine.DockerOk("wait survivor").Trim());
    }

    private static int FindContainerInitPid(EngineProcess engine, string name)
    {
        // The record persisted by the engine before it died holds the task pid.
        var records = Directory.EnumerateFiles(Path.Combine(engine.DataRoot, "metadata"), "*", SearchOption.AllDirectories)
            .Select(File.ReadAllText)
            .First(text => text.Contains($"\"Name\":\"{name}\"", StringComparison.Ordinal));
        var match = System.Text.RegularExpressions.Regex.Match(records, "\"Pid\":(\\d+)");
        return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 200; i++)
        {
            if (condition())
            {
                return;
            }
            Thread.Sleep(100);
        }
        Assert.True(condition(), "condition not reached within 20 s");
    }
}
