using PSContainer.Engine.Core.Tasks;
using PSContainer.ShimApi;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Engine.Core.IntegrationTests.Tasks;

/// <summary>
/// The engine's warm spare shim (real psc-shim from PSC_BIN): the first start makes one, the next
/// start binds it and starts the next one, and stopping the engine leaves no spare behind.
/// </summary>
public sealed class SpareShimTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("psc-spare-").FullName;

    private string SocketDirectory => Path.Combine(_directory, "s");

    private ShimManager NewManager() => new(new ShimManagerOptions(
        Path.Combine(TestEnvironment.BinDir, "psc-shim"), "/usr/sbin/runc", Path.Combine(_directory, "runtime"),
        SocketDirectory, Path.Combine(_directory, "events.sock")));

    [RequiresRootFact]
    public async Task StoppingTheEngineLeavesNoSpareBehind()
    {
        var bundle = Directory.CreateDirectory(Path.Combine(_directory, "bundle")).FullName;
        var manager = NewManager();
        int spare, shim;
        try
        {
            manager.ListenForEvents((_, _) => ValueTask.CompletedTask);
            Assert.False(Directory.Exists(SocketDirectory) && Directory.GetFiles(SocketDirectory, "spare-*.sock").Length > 0,
                "no spare before the first start");
            await using (var client = await manager.StartAsync("c1", bundle, null, null, CancellationToken.None))
            {
                shim = client.Hello!.ShimPid;
                spare = await WaitForOneSpareAsync();
                Assert.NotEqual(shim, spare);
                await client.ShutdownAsync();
            }
        }
        finally
        {
            await manager.DisposeAsync();
        }

        await WaitUntilAsync(() => !Directory.Exists($"/proc/{spare}"), $"spare {spare} exited and was collected");
        await WaitUntilAsync(() => !Directory.Exists($"/proc/{shim}"), $"shim {shim} shut down and was collected");
        Assert.Empty(Directory.GetFiles(SocketDirectory, "spare-*"));
    }

    [RequiresRootFact]
    public async Task StartBindsTheSpareAndStartsTheNext()
    {
        var bundle = Directory.CreateDirectory(Path.Combine(_directory, "bundle")).FullName;
        var manager = NewManager();
        int first, second, shim;
        try
        {
            manager.ListenForEvents((_, _) => ValueTask.CompletedTask);
            await using (var started = await manager.StartAsync("c0", bundle, null, null, CancellationToken.None))
            {
                await started.ShutdownAsync();
            }
            await manager.ForgetAsync("c0");
            first = await WaitForOneSpareAsync();

            await using (var client = await manager.StartAsync("c1", bundle, null, null, CancellationToken.None))
            {
                shim = client.Hello!.ShimPid;
                Assert.Equal(first, shim);
                Assert.Equal(ShimPaths.SocketPath(SocketDirectory, "c1", bundle), client.SocketPath);
                Assert.Contains("bound to c1", await File.ReadAllTextAsync(Path.Combine(bundle, ShimPaths.ShimLogFile)));
                second = await WaitForOneSpareAsync();
                Assert.NotEqual(first, second);
                await client.ShutdownAsync();
            }
            await manager.ForgetAsync("c1");
        }
        finally
        {
            await manager.DisposeAsync();
        }

        await WaitUntilAsync(() => !Directory.Exists($"/proc/{shim}"), $"bound shim {shim} shut down and was collected");
        await WaitUntilAsync(() => !Directory.Exists($"/proc/{second}"), $"next spare {second} exited and was collected");
    }

    /// <summary>The pid of the one spare listening in the socket directory (its command line names its socket).</summary>
    private async Task<int> WaitForOneSpareAsync()
    {
        var pid = 0;
        await WaitUntilAsync(() =>
        {
            var sockets = Directory.Exists(SocketDirectory) ? Directory.GetFiles(SocketDirectory, "spare-*.sock") : [];
            if (sockets.Length != 1)
            {
                return false;
            }
            pid = SpareProcesses(sockets[0]).SingleOrDefault();
            return pid != 0;
        }, "exactly one spare shim is ready");
        return pid;
    }

    private static IEnumerable<int> SpareProcesses(string socket)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            string cmdline;
            try
            {
                cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
            }
            catch (IOException)
            {
                continue;
            }
            if (cmdline.Split('\0').Contains(socket))
            {
                yield return pid;
            }
        }
    }

    /// <summary>Polls a condition that becomes true asynchronously; the limit only turns a hang into a failure.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"not true after 120 s: {what}");
            }
            await Task.Delay(50);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
