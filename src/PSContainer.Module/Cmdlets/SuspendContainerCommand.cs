using System.Management.Automation;

namespace PSContainer.Module.Cmdlets;

/// <summary>Freezes every process of running containers (docker pause).</summary>
[Cmdlet(VerbsLifecycle.Suspend, "Container", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Container))]
[Alias("Pause-Container")]
public sealed class SuspendContainerCommand : ContainerTargetCmdlet
{
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord() => ForEachContainer(container =>
    {
        if (ShouldProcess(container.ToString(), "Suspend container"))
        {
            Await(Client.PauseContainerAsync(container.Id, Cancellation));
            if (PassThru)
            {
                WriteObject(Inspect(container.Id));
            }
        }
    });
}
