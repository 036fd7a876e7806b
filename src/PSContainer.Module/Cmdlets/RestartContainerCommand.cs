using System.Management.Automation;

namespace PSContainer.Module.Cmdlets;

/// <summary>Stops (with -Timeout) and starts containers again.</summary>
[Cmdlet(VerbsLifecycle.Restart, "Container", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Container))]
public sealed class RestartContainerCommand : ContainerTargetCmdlet
{
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int? Timeout { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Signal { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord() => ForEachContainer(container =>
    {
        if (ShouldProcess(container.ToString(), "Restart container"))
        {
            Await(Client.RestartContainerAsync(container.Id, Timeout, Signal, Cancellation));
            if (PassThru)
            {
                WriteObject(Inspect(container.Id));
            }
        }
    });
}
