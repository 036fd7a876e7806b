using PSContainer.ShimApi;

namespace PSContainer.Engine.Daemon.Containers;

public sealed partial class ContainerService
{
    /// <summary>
    /// At engine start: loads every container, reconnects to the shims of those that had a task
    /// (daemonless containers keep running while the engine is away), records the exits that
    /// happened meanwhile (the shim's exit record, or `psc-shim delete` for a shim that died), and
    /// starts the containers whose restart policy says so.
    /// </summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        var containers = store.LoadAll();
        RecoverVolumeMounts(containers);
        foreach (var container in containers.Where(c => !c.Record.State.HasTask && c.Record.State.Status is "restarting" or "removing"))
        {
            container.Record.State.Status = "exited";
            store.Save(container);
        }
        // Shims answer independently: reconnect to all of them at once.
        await Task.WhenAll(containers.Where(c => c.Record.State.HasTask).Select(c => RecoverOneAsync(c, cancellationToken))).ConfigureAwait(false);
        foreach (var container in containers)
        {
            var policy = container.Record.HostConfig.RestartPolicy?.Name;
            if (!container.Record.State.HasTask && !container.Record.StoppedByUser && container.Record.State.StartedAt is not null &&
                policy is "always" or "unless-stopped")
            {
                try
                {
                    await StartAsync(container.Id, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Log.RestartFailed(logger, container.Id, e.Message);
                }
            }
        }
    }

    private async Task RecoverOneAsync(Container container, CancellationToken cancellationToken)
    {
        var (client, failure) = await tasks.ReconnectAsync(container.Id, container.BundleDirectory, container.Record.State.ShimSocket, cancellationToken).ConfigureAwait(false);
        if (client is not null)
        {
            StateResult? state = null;
            try
            {
                state = await client.StateAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ShimException or IOException or System.Net.Sockets.SocketException or TimeoutException or ShimProtocolException)
            {
                Log.WaitFailed(logger, container.Id, e.Message);
            }
            Log.RecoveredState(logger, container.Id, state?.Status.ToString() ?? "unknown", state?.Pid ?? 0, state?.ExitCode);
            if (state is { Status: ProcessStatus.Running or ProcessStatus.Paused })
            {
                container.Record.State.Pid = state.Pid;
                container.Record.State.Status = state.Status == ProcessStatus.Paused ? "paused" : "running";
                store.Save(container);
                Log.Reconnected(logger, container.Id, state.Pid);
                WatchExit(container, client);
                StartHealthcheck(container);
                await RestoreNetworkingAsync(container).ConfigureAwait(false);
                return;
            }
            if (state is { Status: ProcessStatus.Stopped or ProcessStatus.Deleted, ExitCode: { } code })
            {
                await HandleExitAsync(container, state.Pid, code, state.ExitedAt ?? DateTimeOffset.UtcNow, state.OomKilled).ConfigureAwait(false);
                return;
            }
            if (state is { Status: ProcessStatus.Created })
            {
                // Created but never started: the start request died with the old engine.
                await ShutdownShimAsync(container, client).ConfigureAwait(false);
                await HandleExitAsync(container, 0, 255, DateTimeOffset.UtcNow, false).ConfigureAwait(false);
                return;
            }
            // A shim answered but its state could not be read: it owns the container, so keep
            // it and let the exit watcher report what happens (never clean up under a live shim).
            WatchExit(container, client);
            return;
        }
        Log.ShimGone(logger, container.Id, failure ?? "unknown");
        // No shim answers: psc-shim delete cleans up and tells the exit the shim recorded (or 137, unknown).
        ShimExitRecord exit;
        try
        {
            exit = await tasks.CleanupAsync(container.Id, container.BundleDirectory, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            // psc-shim delete refuses when a shim still lives (or fails otherwise): leave the
            // container as it is rather than tear down what may be a running task.
            Log.CleanupFailed(logger, container.Id, e.Message);
            return;
        }
        await HandleExitAsync(container, 0, exit.ExitCode, exit.ExitedAt, exit.OomKilled).ConfigureAwait(false);
    }
}
