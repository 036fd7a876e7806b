using System.Management.Automation;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>
/// Starts existing containers, or with -Image runs a new one like docker run: in the foreground
/// its output lines go to the pipeline (stderr to the error stream) and $LASTEXITCODE gets its
/// exit code; -Detach returns the running container; -Interactive connects the console.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "Container", DefaultParameterSetName = StartSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Container), typeof(string))]
[Alias("Run-Container")]
public sealed class StartContainerCommand : ContainerCreateCmdlet
{
    private const string StartSet = "Start";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = StartSet)]
    [Alias("ContainerId")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ContainerNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Id { get; set; } = [];

    /// <summary>Return the started container.</summary>
    [Parameter(ParameterSetName = StartSet)]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Start it in the background and return the container (docker run -d).</summary>
    [Parameter(ParameterSetName = CreateSet)]
    public SwitchParameter Detach { get; set; }

    /// <summary>Remove the container when it exits (docker run --rm).</summary>
    [Parameter(ParameterSetName = CreateSet)]
    [Alias("Rm")]
    public SwitchParameter Remove { get; set; }

    /// <summary>Keep stdin open and connect this console to the container (docker run -i; add -Tty for a shell).</summary>
    [Parameter(ParameterSetName = CreateSet)]
    public SwitchParameter Interactive { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == StartSet)
        {
            StartExisting();
        }
        else
        {
            Run();
        }
    }

    private void StartExisting()
    {
        foreach (var value in Id)
        {
            Try(value, () =>
            {
                var matches = Wildcard.ContainsWildcard(value)
                    ? Await(Containers.MatchAsync(value, Cancellation))
                    : [Await(Containers.ResolveAsync(value, Cancellation))];
                foreach (var container in matches)
                {
                    Try(container, () =>
                    {
                        if (!ShouldProcess(container.ToString(), "Start container"))
                        {
                            return;
                        }
                        if (!Await(Client.StartContainerAsync(container.Id, Cancellation)))
                        {
                            WriteVerbose($"{container} was already running.");
                        }
                        if (PassThru)
                        {
                            WriteObject(ContainerConverter.FromInspect(Await(Client.InspectContainerAsync(container.Id, Cancellation)), Client.Endpoint.ToString()));
                        }
                    });
                }
            });
        }
    }

    private void Run()
    {
        var options = BuildOptions(Interactive, Remove);
        if (!ShouldProcess($"{options.Name ?? "a new container"} from {options.Image}", "Run container"))
        {
            return;
        }
        Try(options.Image, () =>
        {
            if (Detach || Interactive)
            {
                var request = ContainerCreateRequestBuilder.Build(options, CallerEnvironment);
                var created = Await(Client.CreateContainerAsync(request, options.Name, Cancellation));
                foreach (var warning in created.Warnings)
                {
                    WriteWarning(warning);
                }
                if (Interactive && !Detach)
                {
                    using var connection = Await(Client.AttachContainerAsync(created.Id, stdin: true, options.Tty, Cancellation));
                    Await(Client.StartContainerAsync(created.Id, Cancellation));
                    Func<int, int, Task>? resize = options.Tty
                        ? (rows, columns) => Client.ResizeContainerTtyAsync(created.Id, rows, columns, CancellationToken.None)
                        : null;
                    if (resize is not null && ConsoleInput.WindowSize() is { } size)
                    {
                        Try(created.Id, () => Await(resize(size.Rows, size.Columns)));
                    }
                    Await(ConsoleInput.RunAsync(connection, options.Tty, resize, Cancellation));
                    if (!Remove)
                    {
                        SetLastExitCode(Await(Client.WaitContainerAsync(created.Id, "not-running", Cancellation)).StatusCode);
                    }
                    return;
                }
                Await(Client.StartContainerAsync(created.Id, Cancellation));
                WriteObject(ContainerConverter.FromInspect(Await(Client.InspectContainerAsync(created.Id, Cancellation)), Client.Endpoint.ToString()));
                return;
            }
            var run = new CommandRun(Client);
            ForEach(run.RunAsync(options, CallerEnvironment, Cancellation), WriteOutputLine);
            if (run.ExitCode is { } code)
            {
                SetLastExitCode(code);
                WriteVerbose($"The container exited with code {code}.");
            }
        });
    }
}
