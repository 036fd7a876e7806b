using PSContainer.ShimApi;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Shim.IntegrationTests;

/// <summary>
/// The engine's fast paths to a shim: the server spawned directly (one .NET start instead of two)
/// and the warm spare bound to a container. Both keep the shim contract; neither may leave a
/// process behind (an exited server is collected, an unbound spare exits with its connection).
/// </summary>
public sealed class SpareAndDirectStartTests
{
    [RequiresRootFact]
    public async Task DirectlyStartedServerRunsAContainerAndIsCollectedWhenItExits()
    {
        var container = await ShimTestContainer.CreateBundleAsync(["sh", "-c", "echo direct; exit 3"]);
        await using var _ = container;
        await using var client = await container.StartShimDirectlyAsync();
        var shimPid = client.Hello!.ShimPid;
        Assert.Equal(Environment.ProcessId, ParentOf(shimPid)); // spawned by us, in its own session
        Assert.Equal(shimPid, SessionOf(shimPid));

        await client.CreateAsync(new CreateRequest(container.Id));
        await client.StartAsync();
        Assert.Equal(3, (await client.WaitAsync()).ExitCode);
        Assert.Equal("direct\n", container.LogText());
        await client.DeleteAsync();
        await client.ShutdownAsync();

        // Our child: collected by ChildReaper, so not even a zombie remains.
        await Eventually.TrueAsync(() => !Directory.Exists($"/proc/{shimPid}"), $"shim {shimPid} collected after its exit");
    }

    [RequiresRootFact]
    public async Task SpareBoundToAContainerKeepsTheContract()
    {
        var container = await ShimTestContainer.CreateBundleAsync(["sh", "-c", "echo out; echo err >&2; exit 7"]);
        await using var _ = container;
        await using var events = container.RecordEvents();
        var spare = await ShimServerLauncher.StartSpareAsync(container.StartOptions(events.Socket));
        await using var __ = spare;
        Assert.True(File.Exists(spare.SocketPath));

        await using var client = await container.BindSpareAsync(spare);
        Assert.Equal(spare.Pid, client.Hello!.ShimPid);
        Assert.Equal(spare.Pid, container.ShimPid);
        Assert.False(File.Exists(spare.SocketPath));
        await client.CreateAsync(new CreateRequest(container.Id));
        await client.StartAsync();
        var exit = await client.WaitAsync();
        Assert.Equal(7, exit.ExitCode);
        var record = ShimExitRecord.TryRead(container.Bundle);
        Assert.Equal((exit.Pid, 7), (record?.Pid, record?.ExitCode));
        await client.DeleteAsync();
        var received = events.Received;
        await Eventually.TrueAsync(() => { lock (received) { return received.Any(e => e.Type == ShimEventType.TaskDelete); } }, "TaskDelete arrives");
        lock (received)
        {
            Assert.Equal([ShimEventType.TaskCreate, ShimEventType.TaskStart, ShimEventType.TaskExit, ShimEventType.TaskDelete],
                received.Where(e => e.ContainerId == container.Id).Select(e => e.Type));
        }
        Assert.Equal("out\n", container.LogText("stdout"));
        Assert.Equal("err\n", container.LogText("stderr"));
        Assert.Contains("bound to " + container.Id, await File.ReadAllTextAsync(Path.Combine(container.Bundle, ShimPaths.ShimLogFile)));
    }

    [RequiresRootFact]
    public async Task UnboundSpareExitsWhenItsEngineConnectionCloses()
    {
        var container = await ShimTestContainer.CreateBundleAsync(["true"]);
        await using var _ = container;
        var spare = await ShimServerLauncher.StartSpareAsync(container.StartOptions());
        var pid = spare.Pid;
        Assert.True(Directory.Exists($"/proc/{pid}"));

        // What the kernel does for a dead engine: the spare's only connection closes.
        await spare.DisposeAsync();

        await Eventually.TrueAsync(() => !Directory.Exists($"/proc/{pid}"), $"spare {pid} exited and was collected");
        Assert.False(File.Exists(spare.SocketPath));
        await Assert.ThrowsAsync<InvalidOperationException>(() => spare.BindAsync(container.Id, container.Bundle, null, null));
    }

    [RequiresRootFact]
    public async Task SpareRefusesABadBindAndStaysBindable()
    {
        var container = await ShimTestContainer.CreateBundleAsync(["true"]);
        await using var _ = container;
        await using var spare = await ShimServerLauncher.StartSpareAsync(container.StartOptions());

        var error = await Assert.ThrowsAsync<ShimException>(() => spare.BindAsync(container.Id, "/no/such/bundle", null, null));
        Assert.Equal(ShimErrorCode.InvalidArgument, error.Code);
        Assert.Contains("/no/such/bundle", error.Message, StringComparison.Ordinal);
    }

    private static int ParentOf(int pid) => StatField(pid, 1);

    private static int SessionOf(int pid) => StatField(pid, 3);

    /// <summary>A numeric field of /proc/PID/stat after the command: 0 state, 1 ppid, 2 pgrp, 3 session.</summary>
    private static int StatField(int pid, int index)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[index], System.Globalization.CultureInfo.InvariantCulture);
    }
}
