using PSContainer.Shim.Io;
using PSContainer.ShimApi;

namespace PSContainer.Shim.Processes;

/// <summary>
/// One process the shim looks after: the container's init (ExecId null) or an exec. Holds its
/// stdio, its live-output hub, and its exit once recorded.
/// </summary>
internal sealed class ShimProcess(string? execId, bool terminal, bool openStdin, AttachHub hub)
{
    private readonly TaskCompletionSource<ExitResult> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<OutputPump> _pumps = [];

    public string? ExecId { get; } = execId;

    public bool Terminal { get; } = terminal;

    public bool OpenStdin { get; } = openStdin;

    public AttachHub Hub { get; } = hub;

    public int Pid { get; set; }

    public ProcessStatus Status { get; set; } = ProcessStatus.Created;

    public ProcessIo? Io { get; set; }

    /// <summary>For an exec: its OCI process object, as given.</summary>
    public string? ProcessJson { get; init; }

    /// <summary>True once Start was asked for (the exit event then waits for the start event).</summary>
    public TaskCompletionSource? Starting { get; set; }

    public Task<ExitResult> Exit => _exit.Task;

    public ExitResult? ExitIfDone => _exit.Task.IsCompletedSuccessfully ? _exit.Task.Result : null;

    public void AddPump(OutputPump pump) => _pumps.Add(pump);

    /// <summary>Waits until the output pipes are drained, or <paramref name="limit"/> (a grandchild may keep them open).</summary>
    public async Task DrainOutputAsync(TimeSpan limit)
    {
        var all = Task.WhenAll(_pumps.Select(p => p.Completion));
        await Task.WhenAny(all, Task.Delay(limit)).ConfigureAwait(false);
    }

    public void SetExited(ExitResult exit)
    {
        Status = ProcessStatus.Stopped;
        _exit.TrySetResult(exit);
    }

    public StateResult State(string containerId, string bundle)
    {
        var exit = ExitIfDone;
        return new StateResult(containerId, ExecId, Pid, Status, bundle, Terminal, OpenStdin,
            exit?.ExitCode, exit?.ExitedAt, exit?.OomKilled ?? false);
    }
}
