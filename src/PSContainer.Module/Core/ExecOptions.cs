namespace PSContainer.Module.Core;

/// <summary>What Invoke-ContainerCommand was asked to run.</summary>
public sealed class ExecOptions
{
    public IReadOnlyList<string> Command { get; init; } = [];
    public string? User { get; init; }
    public string? WorkingDirectory { get; init; }
    public IReadOnlyList<object?> Environment { get; init; } = [];
    public bool Tty { get; init; }
    /// <summary>Attach stdin (interactive use or -InputObject text).</summary>
    public bool AttachStdin { get; init; }
    public bool Privileged { get; init; }
    /// <summary>Docker's detach key syntax ("ctrl-p,ctrl-q" when null); the engine checks it.</summary>
    public string? DetachKeys { get; init; }

    public Api.ExecCreateRequest ToRequest(Func<string, string?> callerEnvironment)
    {
        if (Command.Count == 0 || string.IsNullOrEmpty(Command[0]))
        {
            throw new ArgumentException("A command is required: Invoke-ContainerCommand web -- ls -l /.");
        }
        if (WorkingDirectory is { Length: > 0 } dir && !dir.StartsWith('/'))
        {
            throw new ArgumentException($"-WorkingDirectory '{dir}' must be an absolute path in the container.");
        }
        var environment = KeyValueParser.ParseEnvironment(Environment, callerEnvironment);
        return new Api.ExecCreateRequest
        {
            Cmd = Command.ToList(),
            User = string.IsNullOrEmpty(User) ? null : User,
            WorkingDir = string.IsNullOrEmpty(WorkingDirectory) ? null : WorkingDirectory,
            Env = environment.Count > 0 ? environment : null,
            Tty = Tty,
            AttachStdin = AttachStdin,
            AttachStdout = true,
            AttachStderr = true,
            Privileged = Privileged,
            DetachKeys = string.IsNullOrEmpty(DetachKeys) ? null : DetachKeys,
        };
    }
}
