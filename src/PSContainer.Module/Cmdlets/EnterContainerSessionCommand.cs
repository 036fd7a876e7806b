using System.Management.Automation;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>
/// Opens an interactive shell (with a tty) in a running container; exit the shell to return. The
/// console is put in raw mode for the session (keys, Ctrl+C included, go to the container's tty;
/// window-size changes follow) and restored afterwards; with redirected input it runs in line mode.
/// </summary>
[Cmdlet(VerbsCommon.Enter, "ContainerSession", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
public sealed class EnterContainerSessionCommand : PSContainerCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name", "ContainerId")]
    [ArgumentCompleter(typeof(RunningContainerNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Id { get; set; } = "";

    /// <summary>The shell to run (default /bin/sh).</summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string[] Command { get; set; } = ["/bin/sh"];

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? User { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? WorkingDirectory { get; set; }

    /// <summary>The keys that leave the session with the shell still running (Docker's syntax; default ctrl-p,ctrl-q).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? DetachKeys { get; set; }

    protected override void ProcessRecord() => Try(Id, () =>
    {
        var container = Await(Containers.ResolveAsync(Id, Cancellation));
        if (!ShouldProcess(container.ToString(), "Open an interactive session"))
        {
            return;
        }
        var interactiveTerminal = !Console.IsInputRedirected;
        if (!interactiveTerminal)
        {
            WriteWarning("Input is redirected, not a terminal: the session runs without a tty, in line mode (no prompt editing, no full-screen programs).");
        }
        var options = new ExecOptions
        {
            Command = Command,
            User = User,
            WorkingDirectory = WorkingDirectory,
            Tty = interactiveTerminal,
            AttachStdin = true,
            DetachKeys = DetachKeys,
        };
        var exec = Await(Client.CreateExecAsync(container.Id, options.ToRequest(CallerEnvironment), Cancellation));
        using var connection = Await(Client.StartExecAsync(exec.Id, options.Tty, Cancellation));
        Func<int, int, Task>? resize = options.Tty ? (rows, columns) => Client.ResizeExecTtyAsync(exec.Id, rows, columns, CancellationToken.None) : null;
        if (resize is not null && ConsoleInput.WindowSize() is { } size)
        {
            // Best effort: a wrong size only makes full-screen programs wrap oddly.
            Try(container, () => Await(resize(size.Rows, size.Columns)));
        }
        Await(ConsoleInput.RunAsync(connection, options.Tty, resize, Cancellation));
        var ended = Await(Client.InspectExecAsync(exec.Id, Cancellation));
        if (ended.Running)
        {
            WriteVerbose($"Detached from the session; {string.Join(' ', Command)} keeps running in {container}.");
        }
        SetLastExitCode(ended.ExitCode ?? 0);
    });
}
