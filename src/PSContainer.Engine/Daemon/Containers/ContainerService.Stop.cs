using PSContainer.Engine.Errors;
using PSContainer.ShimApi;

namespace PSContainer.Engine.Daemon.Containers;

public sealed partial class ContainerService
{
    /// <summary>Docker's default grace period between the stop signal and SIGKILL.</summary>
    public const int DefaultStopTimeoutSeconds = 10;

    /// <summary>
    /// Sends the stop signal (StopSignal, default SIGTERM), waits up to the timeout (-1: forever),
    /// then SIGKILL. 304 when the container is not running. A restarting container just stops.
    /// </summary>
    public async Task StopAsync(string idOrName, int? timeoutSeconds, string? signal, CancellationToken cancellationToken)
    {
        var container = store.Get(idOrName);
        container.Record.StoppedByUser = true;
        if (container.Record.State.Status == "restarting")
        {
            container.Record.State.Status = "exited";
            store.Save(container);
            return;
        }
        if (!container.Record.State.HasTask)
        {
            throw EngineException.NotModified($"container {container.Id} is not running");
        }
        store.Save(container);
        var stopSignal = Signals.Parse(signal ?? container.Record.Config.StopSignal, Signals.SIGTERM);
        var timeout = timeoutSeconds ?? container.Record.Config.StopTimeout ?? DefaultStopTimeoutSeconds;
        var exited = container.NextExit;
        if (container.Record.State.Status == "paused")
        {
            // A frozen process cannot act on SIGTERM; thaw it first as Docker does.
            await Client(container).ResumeAsync(cancellationToken).ConfigureAwait(false);
            container.Record.State.Status = "running";
        }
        await SignalAsync(container, stopSignal, cancellationToken).ConfigureAwait(false);
        if (timeout >= 0)
        {
            var done = await Task.WhenAny(exited, Task.Delay(TimeSpan.FromSeconds(timeout), cancellationToken)).ConfigureAwait(false);
            if (done == exited)
            {
                Publish(container, "stop");
                return;
            }
            await SignalAsync(container, Signals.SIGKILL, cancellationToken).ConfigureAwait(false);
            Publish(container, "kill", new Dictionary<string, string> { ["signal"] = Signals.SIGKILL.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }
        await exited.WaitAsync(cancellationToken).ConfigureAwait(false);
        Publish(container, "stop");
    }

    public async Task KillAsync(string idOrName, string? signal, CancellationToken cancellationToken)
    {
        var container = store.Get(idOrName);
        var number = Signals.Parse(signal, Signals.SIGKILL);
        if (!container.Record.State.HasTask || container.Record.State.Status is not ("running" or "paused"))
        {
            throw EngineException.Conflict($"Cannot kill container: {idOrName}: Container {container.Id} is not running");
        }
        if (number is Signals.SIGKILL or Signals.SIGTERM or 2)
        {
            container.Record.StoppedByUser = true;
            store.Save(container);
        }
        await SignalAsync(container, number, cancellationToken).ConfigureAwait(false);
        Publish(container, "kill", new Dictionary<string, string> { ["signal"] = number.ToString(System.Globalization.CultureInfo.InvariantCulture) });
    }

    private async Task SignalAsync(Container container, int signal, CancellationToken cancellationToken)
    {
        try
        {
            await Client(container).KillAsync(signal, all: signal == Signals.SIGKILL, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (ShimException e) when (e.Code is ShimErrorCode.NotFound or ShimErrorCode.FailedPrecondition)
        {
            // It exited meanwhile; the exit handler records it.
        }
    }

    public async Task RestartAsync(string idOrName, int? timeoutSeconds, string? signal, CancellationToken cancellationToken)
    {
        var container = store.Get(idOrName);
        if (container.Record.State.HasTask)
        {
            await StopAsync(container.Id, timeoutSeconds, signal, cancellationToken).ConfigureAwait(false);
        }
        await StartAsync(container.Id, cancellationToken).ConfigureAwait(false);
        Publish(container, "restart");
    }

    /// <summary>Conditions: "not-running" (default), "next-exit", "removed".</summary>
    public async Task<ExitStatus> WaitAsync(string idOrName, string? condition, CancellationToken cancellationToken)
    {
        condition = string.IsNullOrEmpty(condition) ? "not-running" : condition;
        if (condition is not ("not-running" or "next-exit" or "removed"))
        {
            throw EngineException.InvalidParameter($"invalid condition: \"{condition}\"");
        }
        if (!store.TryGet(idOrName, out var container))
        {
            if (condition != "not-running" && _recentlyRemoved.TryGet(idOrName, out var gone))
            {
                return gone;
            }
            throw EngineException.NoSuchContainer(idOrName);
        }
        Task<ExitStatus> waiting = condition switch
        {
            "removed" => container.Removed,
            "next-exit" => container.NextExit,
            _ => container.Record.State.HasTask || container.Record.State.Status == "restarting"
                ? container.NextExit
                : Task.FromResult(new ExitStatus(container.Record.State.ExitCode, NullIfEmpty(container.Record.State.Error))),
        };
        return await waiting.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task PauseAsync(string idOrName, CancellationToken cancellationToken)
    {
        var container = store.Get(idOrName);
        await container.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (container.Record.State.Status != "running")
            {
                throw EngineException.Conflict(container.Record.State.Status == "paused"
                    ? $"Container {container.Id} is already paused"
                    : $"Container {container.Id} is not running");
            }
            await Client(container).PauseAsync(cancellationToken).ConfigureAwait(false);
            container.Record.State.Status = "paused";
            store.Save(container);
        }
        finally
        {
            container.Gate.Release();
        }
        Publish(container, "pause");
    }

    public async Task UnpauseAsync(string idOrName, CancellationToken cancellationToken)
    {
        var container = store.Get(idOrName);
        await container.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (container.Record.State.Status != "paused")
            {
                throw EngineException.Conflict($"Container {container.Id} is not paused");
            }
            await Client(container).ResumeAsync(cancellationToken).ConfigureAwait(false);
            container.Record.State.Status = "running";
            store.Save(container);
        }
        finally
        {
            container.Gate.Release();
        }
        Publish(container, "unpause");
    }

    private ShimClient Client(Container container) =>
        tasks.Get(container.Id) ?? throw EngineException.Conflict($"Container {container.Id} is not running");

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
