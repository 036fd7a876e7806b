using PSContainer.ShimApi;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Shim.IntegrationTests;

public sealed class LifecycleTests
{
    [RequiresRootTheory]
    [InlineData("exit 0", 0)]
    [InlineData("exit 1", 1)]
    [InlineData("exit 42", 42)]
    public async Task ExitCodeOfTheProcessIsReportedAndRecorded(string script, int expected)
    {
        var (container, client) = await ShimTestContainer.RunAsync(["sh", "-c", script]);
        await using var _ = container;
        await using var __ = client;

        var exit = await client.WaitAsync();

        Assert.Equal(expected, exit.ExitCode);
        Assert.False(exit.OomKilled);
        var record = ShimExitRecord.TryRead(container.Bundle);
        Assert.NotNull(record);
        Assert.Equal(expected, record.ExitCode);
        Assert.Equal(exit.ExitedAt, record.ExitedAt);
        var state = await client.StateAsync();
        Assert.Equal(ProcessStatus.Stopped, state.Status);
        Assert.Equal(expected, state.ExitCode);
    }

    [RequiresRootFact]
    public async Task SigkillGives137()
    {
        var (container, client) = await ShimTestContainer.RunAsync(["sleep", "1000"]);
        await using var _ = container;
        await using var __ = client;

        await client.KillAsync(9);

        Assert.Equal(137, (await client.WaitAsync()).ExitCode);
    }

    [RequiresRootFact]
    public async Task SigtermGives143()
    {
        // As pid 1 of a pid namespace, sleep would ignore a SIGTERM it has no handler for.
        var (container, client) = await ShimTestContainer.RunAsync(["sleep", "1000"], pidNamespace: false);
        await using var _ = container;
        await using var __ = client;

        await client.KillAsync(15);

        Assert.Equal(143, (await client.WaitAsync()).ExitCode);
    }

    [RequiresRootFact]
    public async Task OomKillIsReportedWithTheExit()
    {
        var container = await ShimTestContainer.CreateBundleAsync(
            ["sh", "-c", "x=a; while true; do x=$x$x; done"], memoryLimit: 16 * 1024 * 1024);
        await using var _ = container;
        await using var listener = container.RecordEvents();
        var (received, eventsSocket) = (listener.Received, listener.Socket);
        await using var client = await container.StartShimAsync(eventsSocket);
        await client.CreateAsync(new CreateRequest(container.Id));
        await client.StartAsync();

        var exit = await client.WaitAsync();

        Assert.Equal(137, exit.ExitCode);
        Assert.True(exit.OomKilled);
        Assert.True(ShimExitRecord.TryRead(container.Bundle)!.OomKilled);
        await Eventually.TrueAsync(() => { lock (received) { return received.Any(e => e.Type == ShimEventType.TaskExit); } }, "TaskExit arrives");
        lock (received)
        {
            var oom = received.FindIndex(e => e.Type == ShimEventType.TaskOOM);
            var exited = received.FindIndex(e => e.Type == ShimEventType.TaskExit);
            Assert.InRange(oom, 0, exited - 1);
            Assert.True(received[exited].OomKilled);
        }
    }

    [RequiresRootFact]
    public async Task SignalReachesTheProcessHandler()
    {
        var (container, client) = await ShimTestContainer.RunAsync(
            ["sh", "-c", "trap 'echo got-usr1; exit 0' USR1; echo ready; while true; do sleep 0.05; done"]);
        await using var _ = container;
        await using var __ = client;
        await Eventually.TrueAsync(() => container.LogText().Contains("ready\n", StringComparison.Ordinal), "the trap is set");

        await client.KillAsync(10);

        Assert.Equal(0, (await client.WaitAsync()).ExitCode);
        Assert.Contains("got-usr1\n", container.LogText(), StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public async Task EarlyExitBeforeStartIsReportedIsNotLost()
    {
        // `true` exits as soon as the runtime lets it run: usually before Start has answered.
        var container = await ShimTestContainer.CreateBundleAsync(["true"]);
        await using var _ = container;
        await using var listener = container.RecordEvents();
        var (received, eventsSocket) = (listener.Received, listener.Socket);
        await using var client = await container.StartShimAsync(eventsSocket);
        await client.CreateAsync(new CreateRequest(container.Id));

        await client.StartAsync();
        var exit = await client.WaitAsync();
        await client.DeleteAsync();

        Assert.Equal(0, exit.ExitCode);
        await Eventually.TrueAsync(() => { lock (received) { return received.Any(e => e.Type == ShimEventType.TaskDelete); } }, "TaskDelete arrives");
        List<ShimEvent> events;
        lock (received)
        {
            events = [.. received];
        }
        Assert.Equal([ShimEventType.TaskCreate, ShimEventType.TaskStart, ShimEventType.TaskExit, ShimEventType.TaskDelete], events.Select(e => e.Type));
        Assert.Equal([1L, 2, 3, 4], events.Select(e => e.Sequence));
        Assert.Equal(0, events[2].ExitCode);
        Assert.All(events, e => Assert.Equal(container.Id, e.ContainerId));
    }

    [RequiresRootFact]
    public async Task EventsWaitForTheEngineAndAreDeliveredWhenItListens()
    {
        var container = await ShimTestContainer.CreateBundleAsync(["sh", "-c", "exit 3"]);
        await using var _ = container;
        var eventsSocket = Path.Combine(container.Directory, "events.sock");
        await using var client = await container.StartShimAsync(eventsSocket);
        await client.CreateAsync(new CreateRequest(container.Id));
        await client.StartAsync();
        Assert.Equal(3, (await client.WaitAsync()).ExitCode);

        // Only now does the "engine" listen: the shim has been retrying.
        var received = new List<ShimEvent>();
        await using var listener = ShimEventListener.Start(eventsSocket, (e, _) =>
        {
            lock (received)
            {
                received.Add(e);
            }
            return ValueTask.CompletedTask;
        });
        await Eventually.TrueAsync(() => { lock (received) { return received.Count >= 3; } }, "queued events arrive");

        lock (received)
        {
            Assert.Equal([ShimEventType.TaskCreate, ShimEventType.TaskStart, ShimEventType.TaskExit], received.Select(e => e.Type));
            Assert.Equal(3, received[2].ExitCode);
        }
    }

    [RequiresRootFact]
    public async Task StartReturnsTheRunningShimForTheSameContainer()
    {
        var (container, client) = await ShimTestContainer.RunAsync(["sleep", "1000"]);
        await using var _ = container;
        await using var __ = client;
        var firstPid = container.ShimPid;

        var again = await ShimLauncher.StartAsync(container.StartOptions());

        Assert.Equal(container.Address, again);
        Assert.Equal(firstPid, container.ShimPid);
        Assert.Equal(firstPid, client.Hello!.ShimPid);
        await client.KillAsync(9);
        await client.WaitAsync();
    }

    [RequiresRootFact]
    public async Task DeleteAndShutdownFollowTheLifeCycle()
    {
        var (container, client) = await ShimTestContainer.RunAsync(["sleep", "1000"]);
        await using var _ = container;
        await using var __ = client;
        var shimPid = container.ShimPid;

        var running = await Assert.ThrowsAsync<ShimException>(() => client.DeleteAsync());
        Assert.Equal(ShimErrorCode.FailedPrecondition, running.Code);
        var notDeleted = await Assert.ThrowsAsync<ShimException>(() => client.ShutdownAsync());
        Assert.Equal(ShimErrorCode.FailedPrecondition, notDeleted.Code);
        await client.KillAsync(9);
        await client.WaitAsync();
        var deleted = await client.DeleteAsync();
        await client.ShutdownAsync();

        Assert.Equal(137, deleted.ExitCode);
        var (code, output) = await ShimTestContainer.RunAsync(ShimTestContainer.Runtime, "--root", container.RuntimeRoot, "state", container.Id);
        Assert.NotEqual(0, code);
        Assert.Contains("does not exist", output, StringComparison.Ordinal);
        await Eventually.TrueAsync(() => !Directory.Exists($"/proc/{shimPid}"), "the shim exits after Shutdown");
    }

    [RequiresRootFact]
    public async Task ErrorsAreTyped()
    {
        var (container, client) = await ShimTestContainer.RunAsync(["sleep", "1000"], start: false);
        await using var _ = container;
        await using var __ = client;

        var twice = await Assert.ThrowsAsync<ShimException>(() => client.CreateAsync(new CreateRequest(container.Id)));
        var noExec = await Assert.ThrowsAsync<ShimException>(() => client.StateAsync("nope"));
        var badSignal = await Assert.ThrowsAsync<ShimException>(() => client.KillAsync(0));
        var notRunning = await Assert.ThrowsAsync<ShimException>(() => client.PauseAsync());

        Assert.Equal(ShimErrorCode.AlreadyExists, twice.Code);
        Assert.Equal(ShimErrorCode.NotFound, noExec.Code);
        Assert.Equal(ShimErrorCode.InvalidArgument, badSignal.Code);
        Assert.Equal(ShimErrorCode.FailedPrecondition, notRunning.Code);
        Assert.Equal(ProcessStatus.Created, (await client.StateAsync()).Status);
        // A created container is deleted with its waiting init.
        await client.DeleteAsync();
    }

    [RequiresRootFact]
    public async Task RuntimeFailureCarriesTheRuntimeMessage()
    {
        var container = await ShimTestContainer.CreateBundleAsync(["/no/such/binary"]);
        await using var _ = container;
        await using var client = await container.StartShimAsync();

        var error = await Assert.ThrowsAsync<ShimException>(async () =>
        {
            await client.CreateAsync(new CreateRequest(container.Id));
            await client.StartAsync();
        });

        Assert.Equal(ShimErrorCode.RuntimeError, error.Code);
        Assert.Contains("/no/such/binary", error.Error.RuntimeMessage, StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public async Task PauseResumePidsStatsAndUpdate()
    {
        var (container, client) = await ShimTestContainer.RunAsync(["sleep", "1000"]);
        await using var _ = container;
        await using var __ = client;

        await client.PauseAsync();
        var paused = await client.StateAsync();
        await client.ResumeAsync();
        var resumed = await client.StateAsync();
        var pids = await client.PidsAsync();
        var stats = await client.StatsAsync();
        using var resources = System.Text.Json.JsonDocument.Parse("""{"pids":{"limit":50}}""");
        await client.UpdateAsync(resources.RootElement);
        var stats2 = await client.StatsAsync();

        Assert.Equal(ProcessStatus.Paused, paused.Status);
        Assert.Equal(ProcessStatus.Running, resumed.Status);
        Assert.Contains(pids, p => p.Pid == resumed.Pid && p.ExecId is null);
        Assert.True(stats.Data.GetProperty("memory").GetProperty("usage").GetProperty("usage").GetUInt64() > 0);
        Assert.Equal(50, stats2.Data.GetProperty("pids").GetProperty("limit").GetInt32());
        await client.KillAsync(9);
        await client.WaitAsync();
    }
}
