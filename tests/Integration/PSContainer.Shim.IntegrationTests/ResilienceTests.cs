using System.Diagnostics;
using System.Globalization;
using PSContainer.ShimApi;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Shim.IntegrationTests;

/// <summary>The reason the shim exists: containers, logs and exit codes outlive whoever started them.</summary>
public sealed class ResilienceTests
{
    private const string Ticker = "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.05; done";

    [RequiresRootFact]
    public async Task ContainerOutlivesTheKilledParentOfItsShim()
    {
        var container = await ShimTestContainer.CreateBundleAsync(["sh", "-c", Ticker]);
        await using var _ = container;
        // The "engine": a process group that starts the shim, creates and starts the container,
        // then is killed with SIGKILL as a whole.
        var options = container.StartOptions();
        var command = $"'{ShimTestContainer.ShimPath}' {string.Join(' ', options.Arguments("start").Select(a => $"'{a}'"))} && exec sleep 1000";
        var parentInfo = new ProcessStartInfo("setsid", ["sh", "-c", command]) { RedirectStandardOutput = true };
        using var parent = Process.Start(parentInfo)!;
        var address = (await parent.StandardOutput.ReadLineAsync())!.Trim();
        await using (var engine = await ShimClient.ConnectAsync(address, container.Id))
        {
            await engine.CreateAsync(new CreateRequest(container.Id));
            await engine.StartAsync();
        }
        var shimPid = container.ShimPid;
        Assert.NotEqual(shimPid, parent.Id);

        Assert.Equal(0, Interop.Linux.Libc.kill(-parent.Id, 9));
        await parent.WaitForExitAsync();
        var linesAtKill = container.ReadLog().Count;

        // A new client (a restarted engine) finds everything.
        await Eventually.TrueAsync(() => container.ReadLog().Count > linesAtKill + 5, "the container keeps logging");
        await using var client = await ShimClient.ConnectAsync(address, container.Id);
        var state = await client.StateAsync();
        Assert.Equal(ProcessStatus.Running, state.Status);
        Assert.Equal(shimPid, client.Hello!.ShimPid);
        await client.KillAsync(9);
        Assert.Equal(137, (await client.WaitAsync()).ExitCode);
        var log = container.ReadLog();
        Assert.Equal(Enumerable.Range(0, log.Count).Select(i => $"tick {i}\n"), log.Select(e => e.Log));
    }

    [RequiresRootFact]
    public async Task ExitWhileNobodyIsConnectedIsRecorded()
    {
        var container = await ShimTestContainer.CreateBundleAsync(["sh", "-c", "read line; echo bye; exit 5"]);
        await using var _ = container;
        await using (var client = await container.StartShimAsync())
        {
            await client.CreateAsync(new CreateRequest(container.Id, OpenStdin: true));
            await client.StartAsync();
            // The process exits once its stdin closes, after this client has gone.
            var closing = client.CloseIOAsync();
            await closing;
        }

        await Eventually.TrueAsync(() => ShimExitRecord.TryRead(container.Bundle) is not null, "the exit is written to the bundle");
        var record = ShimExitRecord.TryRead(container.Bundle)!;
        await using var later = await container.ConnectAsync();
        var exit = await later.WaitAsync();
        var state = await later.StateAsync();

        Assert.Equal(5, record.ExitCode);
        Assert.Equal(5, exit.ExitCode);
        Assert.Equal(record.ExitedAt, exit.ExitedAt);
        Assert.Equal(ProcessStatus.Stopped, state.Status);
        Assert.Equal(5, state.ExitCode);
        Assert.Contains("bye\n", container.LogText(), StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public async Task KilledShimIsCleanedUpByDelete()
    {
        var (container, client) = await ShimTestContainer.RunAsync(["sleep", "1000"]);
        await using var _ = container;
        var initPid = (await client.StateAsync()).Pid;
        await client.DisposeAsync();
        var shimPid = container.ShimPid;
        var socket = ShimPaths.SocketPathFromAddress(container.Address!);

        Assert.Equal(0, Interop.Linux.Libc.kill(shimPid, 9));
        await Eventually.TrueAsync(() => !IsAlive(shimPid), "the shim is gone");
        Assert.True(IsAlive(initPid), "the container outlives its shim");
        var record = await ShimLauncher.DeleteAsync(container.StartOptions());

        Assert.Equal(137, record.ExitCode);
        Assert.True(record.Unknown);
        var (code, output) = await ShimTestContainer.RunAsync(ShimTestContainer.Runtime, "--root", container.RuntimeRoot, "state", container.Id);
        Assert.NotEqual(0, code);
        Assert.Contains("does not exist", output, StringComparison.Ordinal);
        Assert.False(File.Exists(socket));
        await Eventually.TrueAsync(() => !IsAlive(initPid), "delete --force killed the container");
        Assert.False(File.Exists(Path.Combine(container.Bundle, ShimPaths.InitPidFile)));
        Assert.Equal(137, ShimExitRecord.TryRead(container.Bundle)?.ExitCode);
    }

    [RequiresRootFact]
    public async Task DeleteUnmountsTheRootfsTheEngineMarkedAsMounted()
    {
        var (container, client) = await ShimTestContainer.RunAsync(["sleep", "1000"]);
        await using var _ = container;
        var rootfs = Path.Combine(container.Bundle, "rootfs");
        // Stand-in for the engine's overlay mount: rootfs bind-mounted onto itself, and the marker.
        var (bound, bindOutput) = await ShimTestContainer.RunAsync("mount", "--bind", rootfs, rootfs);
        Assert.True(bound == 0, bindOutput);
        try
        {
            await File.WriteAllTextAsync(Path.Combine(container.Bundle, ShimPaths.RootfsMountedMarker), "");
            await client.DisposeAsync();
            Assert.Equal(0, Interop.Linux.Libc.kill(container.ShimPid, 9));
            await Eventually.TrueAsync(() => !IsAlive(container.ShimPid), "the shim is gone");
            Assert.True(IsMountPoint(rootfs));

            await ShimLauncher.DeleteAsync(container.StartOptions());

            Assert.False(IsMountPoint(rootfs));
            Assert.False(File.Exists(Path.Combine(container.Bundle, ShimPaths.RootfsMountedMarker)));
        }
        finally
        {
            if (IsMountPoint(rootfs))
            {
                await ShimTestContainer.RunAsync("umount", "-l", rootfs);
            }
        }
    }

    private static bool IsMountPoint(string path) =>
        File.ReadLines("/proc/self/mountinfo").Any(l => l.Split(' ')[4] == path);

    [RequiresRootFact]
    public async Task AbandonedChildrenAreReapedBySubreaperShim()
    {
        // Without a pid namespace, the orphans of the container's init are reparented to the shim.
        var (container, client) = await ShimTestContainer.RunAsync(
            ["sh", "-c", "for i in 1 2 3; do sleep 4 >/dev/null 2>&1 & done; echo spawned"], pidNamespace: false);
        await using var _ = container;
        await using var __ = client;
        var shimPid = container.ShimPid;

        Assert.Equal(0, (await client.WaitAsync()).ExitCode);
        var adopted = ChildrenOf(shimPid).Count(c => c.Command == "sleep");
        await Eventually.TrueAsync(() => ChildrenOf(shimPid).Count == 0, "every adopted child is reaped, none left as a zombie");

        Assert.Equal(3, adopted);
        Assert.Contains("spawned\n", container.LogText(), StringComparison.Ordinal);
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>The children of a process, from /proc/*/stat: (pid, command, state).</summary>
    private static List<(int Pid, string Command, char State)> ChildrenOf(int parent)
    {
        var children = new List<(int, string, char)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue;
            }
            var open = stat.IndexOf('(', StringComparison.Ordinal);
            var close = stat.LastIndexOf(')');
            var rest = stat[(close + 2)..].Split(' ');
            if (int.Parse(rest[1], CultureInfo.InvariantCulture) == parent)
            {
                children.Add((pid, stat[(open + 1)..close], rest[0][0]));
            }
        }
        return children;
    }
}
