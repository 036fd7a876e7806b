using System.Globalization;
using PSContainer.ShimApi;

namespace PSContainer.Engine.Daemon.Containers;

public sealed partial class ContainerService
{
    /// <summary>Waits in the background for the task's exit (the events socket reports it too; whichever comes first wins).</summary>
    private void WatchExit(Container container, ShimClient client)
    {
        var pid = container.Record.State.Pid;
        _ = Task.Run(async () =>
        {
            try
            {
                var exit = await client.WaitAsync(cancellationToken: container.Lifetime.Token).ConfigureAwait(false);
                await HandleExitAsync(container, exit.Pid == 0 ? pid : exit.Pid, exit.ExitCode, exit.ExitedAt, exit.OomKilled).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ShimException or ShimProtocolException)
            {
                // The shim's connection broke (the shim died?): ask once more, else clean up with psc-shim delete.
                Log.WaitFailed(logger, container.Id, e.Message);
                await RecoverOneAsync(container, CancellationToken.None).ConfigureAwait(false);
            }
        });
    }

    /// <summary>Handles the shim's events: exits (idempotently with <see cref="WatchExit"/>) and OOM kills.</summary>
    public async ValueTask OnShimEventAsync(ShimEvent shimEvent, CancellationToken cancellationToken)
    {
        if (!store.TryGet(shimEvent.ContainerId, out var container) || container.Id != shimEvent.ContainerId)
        {
            return;
        }
        switch (shimEvent.Type)
        {
            case ShimEventType.TaskExit when shimEvent.ExecId is null:
                await HandleExitAsync(container, shimEvent.Pid ?? 0, shimEvent.ExitCode ?? 255, shimEvent.ExitedAt ?? shimEvent.Timestamp, shimEvent.OomKilled).ConfigureAwait(false);
                break;
            case ShimEventType.TaskOOM:
                Publish(container, "oom");
                break;
            case ShimEventType.ExecExit when shimEvent.ExecId is not null:
                OnExecExit(container, shimEvent.ExecId, shimEvent.ExitCode ?? 255);
                break;
        }
        _ = cancellationToken;
    }

    /// <summary>
    /// The task exited: delete it in the shim, stop the shim, unmount the rootfs, record the exit,
    /// wake the waiters, then apply the restart policy or AutoRemove. Runs once per task: a second
    /// report of the same exit (event and wait both deliver it) finds no task and returns.
    /// </summary>
    private async Task HandleExitAsync(Container container, int pid, int exitCode, DateTimeOffset exitedAt, bool oomKilled)
    {
        PscTrace.Step("engine.exit", container.Id);
        bool restart;
        TimeSpan delay;
        await container.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var state = container.Record.State;
            if (!state.HasTask || (pid != 0 && state.Pid != 0 && pid != state.Pid))
            {
                return;
            }
            var client = tasks.Get(container.Id);
            if (client is not null)
            {
                await ShutdownShimAsync(container, client).ConfigureAwait(false);
            }
            try
            {
                RootfsMounter.UnmountAndRemoveBundle(container.BundleDirectory);
            }
            catch (IOException e)
            {
                Log.CleanupFailed(logger, container.Id, e.Message);
            }
            ReleaseVolumeMounts(container);
            await TearDownNetworkingAsync(container).ConfigureAwait(false);
            var ranFor = exitedAt - (state.StartedAt ?? exitedAt);
            state.HasTask = false;
            state.Pid = 0;
            state.ExitCode = exitCode;
            state.OomKilled = oomKilled;
            state.FinishedAt = exitedAt;
            state.Status = "exited";
            if (state.Health is not null)
            {
                state.Health.Status = "unhealthy";
            }
            (restart, delay) = RestartDecision(container, exitCode, ranFor);
            if (restart)
            {
                state.Status = "restarting";
            }
            store.Save(container);
            CompletePendingAttaches(container);
            CancelExecs(container);
            Publish(container, "die", new Dictionary<string, string>
            {
                ["exitCode"] = exitCode.ToString(CultureInfo.InvariantCulture),
            });
            container.SignalExit(new ExitStatus(exitCode));
            PscTrace.Step("engine.exit.recorded", container.Id);
        }
        finally
        {
            container.Gate.Release();
        }

        if (restart)
        {
            ScheduleRestart(container, delay);
        }
        else if (container.Record.HostConfig.AutoRemove)
        {
            try
            {
                await RemoveAsync(container.Id, force: true, removeVolumes: true, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Log.AutoRemoveFailed(logger, container.Id, e.Message);
            }
        }
    }

    /// <summary>Deletes the task in the shim and asks the shim to exit; a shim that is already gone is fine.</summary>
    private async Task ShutdownShimAsync(Container container, ShimClient client)
    {
        try
        {
            await client.DeleteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is ShimException or IOException or System.Net.Sockets.SocketException or TimeoutException or ShimProtocolException)
        {
            Log.CleanupFailed(logger, container.Id, "task delete: " + e.Message);
        }
        try
        {
            await client.ShutdownAsync(now: true).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ShimException or IOException or System.Net.Sockets.SocketException or TimeoutException or ShimProtocolException)
        {
            Log.CleanupFailed(logger, container.Id, "shim shutdown: " + e.Message);
        }
        await tasks.ForgetAsync(container.Id).ConfigureAwait(false);
    }

    private static void CompletePendingAttaches(Container container)
    {
        List<Streams.PendingAttach> pending;
        lock (container.PendingAttaches)
        {
            pending = [.. container.PendingAttaches];
            container.PendingAttaches.Clear();
        }
        foreach (var attach in pending)
        {
            attach.Connection.CloseOutput();
            attach.Complete();
        }
    }

    /// <summary>
    /// Docker's restart rules: "always" and "unless-stopped" restart unless the user stopped the
    /// container; "on-failure[:N]" restarts on a non-zero exit at most N times. The delay starts at
    /// 100 ms and doubles with each restart, up to a minute; a run of 10 s or more resets it.
    /// </summary>
    private static (bool Restart, TimeSpan Delay) RestartDecision(Container container, int exitCode, TimeSpan ranFor)
    {
        var record = container.Record;
        var policy = record.HostConfig.RestartPolicy ?? new global::PSContainer.Api.RestartPolicy();
        if (record.StoppedByUser || container.Lifetime.IsCancellationRequested)
        {
            return (false, TimeSpan.Zero);
        }
        var restart = policy.Name switch
        {
            "always" or "unless-stopped" => true,
            "on-failure" => exitCode != 0 && (policy.MaximumRetryCount == 0 || record.RestartCount < policy.MaximumRetryCount),
            _ => false,
        };
        if (!restart)
        {
            return (false, TimeSpan.Zero);
        }
        if (ranFor >= TimeSpan.FromSeconds(10))
        {
            record.RestartCount = 0;
        }
        var delay = TimeSpan.FromMilliseconds(100 * Math.Pow(2, Math.Min(record.RestartCount, 10)));
        return (true, delay > TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : delay);
    }

    private void ScheduleRestart(Container container, TimeSpan delay)
    {
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(delay, container.Lifetime.Token).ConfigureAwait(false);
                await container.Gate.WaitAsync(container.Lifetime.Token).ConfigureAwait(false);
                try
                {
                    if (container.Record.State.Status != "restarting" || container.Record.StoppedByUser)
                    {
                        return;
                    }
                    container.Record.RestartCount++;
                    await StartLockedAsync(container, container.Lifetime.Token).ConfigureAwait(false);
                    Publish(container, "restart");
                }
                finally
                {
                    container.Gate.Release();
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Log.RestartFailed(logger, container.Id, e.Message);
            }
        });
    }
}
