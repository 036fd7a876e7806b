using PSContainer.Api;

namespace PSContainer.Engine.Daemon.Containers;

/// <summary>The outcome of a wait: the exit code and, when the container could not run, why.</summary>
public sealed record ExitStatus(int ExitCode, string? Error = null);

/// <summary>
/// A container in memory: its persisted record, a lock that serialises its life-cycle operations,
/// and the waiters for its next exit and its removal.
/// </summary>
public sealed class Container(ContainerRecord record, string stateDirectory, string bundleDirectory)
{
    private readonly Lock _waitLock = new();
    private TaskCompletionSource<ExitStatus> _nextExit = NewExitSource();
    private readonly TaskCompletionSource<ExitStatus> _removed = NewExitSource();

    public ContainerRecord Record { get; } = record;

    public string Id => Record.Id;

    public string Name => Record.Name;

    /// <summary>Serialises start, stop, remove and the exit handler for this container.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>Persistent files: hostname, hosts, resolv.conf, the json-file log.</summary>
    public string StateDirectory { get; } = stateDirectory;

    /// <summary>The OCI bundle (config.json, rootfs/) under the exec root, alive while a shim owns it.</summary>
    public string BundleDirectory { get; } = bundleDirectory;

    public string RootfsDirectory => System.IO.Path.Combine(BundleDirectory, "rootfs");

    public string LogPath => System.IO.Path.Combine(StateDirectory, Id + "-json.log");

    public string HostnamePath => System.IO.Path.Combine(StateDirectory, "hostname");

    public string HostsPath => System.IO.Path.Combine(StateDirectory, "hosts");

    public string ResolvConfPath => System.IO.Path.Combine(StateDirectory, "resolv.conf");

    /// <summary>Attach streams waiting for the task to exist (docker run attaches before it starts).</summary>
    public List<Streams.PendingAttach> PendingAttaches { get; } = [];

    public Dictionary<string, Exec.ExecInstance> Execs { get; } = new(StringComparer.Ordinal);

    /// <summary>Cancelled when the container is removed: stops its health checker and restart timer.</summary>
    public CancellationTokenSource Lifetime { get; } = new();

    public bool IsRunning => Record.State.Status is "running" or "paused" or "restarting";

    /// <summary>Completes at the next exit of the task (or at once for a wait on a stopped container).</summary>
    public Task<ExitStatus> NextExit
    {
        get
        {
            lock (_waitLock)
            {
                return _nextExit.Task;
            }
        }
    }

    public Task<ExitStatus> Removed => _removed.Task;

    public void SignalExit(ExitStatus status)
    {
        TaskCompletionSource<ExitStatus> done;
        lock (_waitLock)
        {
            done = _nextExit;
            _nextExit = NewExitSource();
        }
        done.TrySetResult(status);
    }

    public void SignalRemoved() =>
        _removed.TrySetResult(new ExitStatus(Record.State.ExitCode, string.IsNullOrEmpty(Record.State.Error) ? null : Record.State.Error));

    public HealthConfig? EffectiveHealthcheck =>
        Record.Config.Healthcheck is { Test: { Count: > 0 } test } hc && test[0] != "NONE" ? hc : null;

    private static TaskCompletionSource<ExitStatus> NewExitSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
