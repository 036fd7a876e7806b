using System.Management.Automation;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>
/// Runs a command in a running container (docker exec): stdout lines to the pipeline, stderr
/// lines to the error stream, the exit code in $LASTEXITCODE. -Interactive connects the console.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "ContainerCommand", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(string))]
[Alias("Exec-Container")]
public sealed class InvokeContainerCommandCommand : PSContainerCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name", "ContainerId")]
    [ArgumentCompleter(typeof(RunningContainerNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Id { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ValueFromRemainingArguments = true)]
    [ValidateNotNullOrEmpty]
    public string[] Command { get; set; } = [];

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? User { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? WorkingDirectory { get; set; }

    /// <summary>A hashtable or 'A=1' strings.</summary>
    [Parameter]
    public object[] Environment { get; set; } = [];

    /// <summary>Text written to the command's stdin (then closed).</summary>
    [Parameter]
    public string? InputObject { get; set; }

    /// <summary>Connect this console to the command (with -Tty for a shell).</summary>
    [Parameter]
    public SwitchParameter Interactive { get; set; }

    [Parameter]
    public SwitchParameter Tty { get; set; }

    [Parameter]
    public SwitchParameter Privileged { get; set; }

    protected override void ProcessRecord() => Try(Id, () =>
    {
        var container = Await(Containers.ResolveAsync(Id, Cancellation));
        if (!ShouldProcess(container.ToString(), "Run '" + string.Join(' ', Command) + "'"))
        {
            return;
        }
        var options = new ExecOptions
        {
            Command = Command,
            User = User,
            WorkingDirectory = WorkingDirectory,
            Environment = Unwrap(Environment),
            Tty = Tty,
            AttachStdin = Interactive || InputObject is not null,
            Privileged = Privileged,
        };
        if (Interactive)
        {
            var exec = Await(Client.CreateExecAsync(container.Id, options.ToRequest(CallerEnvironment), Cancellation));
            using var connection = Await(Client.StartExecAsync(exec.Id, Tty, Cancellation));
            Func<int, int, Task>? resize = Tty ? (rows, columns) => Client.ResizeExecTtyAsync(exec.Id, rows, columns, CancellationToken.None) : null;
            if (resize is not null && ConsoleInput.WindowSize() is { } size)
            {
                Try(container, () => Await(resize(size.Rows, size.Columns)));
            }
            Await(ConsoleInput.RunAsync(connection, Tty, resize, Cancellation));
            SetLastExitCode(Await(Client.InspectExecAsync(exec.Id, Cancellation)).ExitCode ?? 0);
            return;
        }
        var run = new CommandRun(Client);
        ForEach(run.ExecAsync(container.Id, container.ToString(), options, InputObject, CallerEnvironment, Cancellation), WriteOutputLine);
        if (run.ExitCode is { } code)
        {
            SetLastExitCode(code);
        }
    });
}
