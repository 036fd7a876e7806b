using PSContainer.Api;

namespace PSContainer.Engine.Daemon.Exec;

/// <summary>An exec created in a container (docker exec): its request, and its state once started.</summary>
public sealed class ExecInstance(string id, string containerId, ExecCreateRequest config)
{
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Id { get; } = id;

    public string ContainerId { get; } = containerId;

    public ExecCreateRequest Config { get; } = config;

    public bool Started { get; set; }

    public bool Running { get; set; }

    public int Pid { get; set; }

    public int? ExitCode { get; private set; }

    public Task<int> Exited => _exited.Task;

    public void SetExit(int code)
    {
        ExitCode ??= code;
        Running = false;
        _exited.TrySetResult(ExitCode.Value);
    }
}
