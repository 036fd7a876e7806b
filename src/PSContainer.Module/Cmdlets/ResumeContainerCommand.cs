using System.Management.Automation;

namespace PSContainer.Module.Cmdlets;

/// <summary>Thaws suspended containers (docker unpause).</summary>
[Cmdlet(VerbsLifecycle.Resume, "Container", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Container))]
[Alias("Unpause-Container")]
public sealed class ResumeContainerCommand : ContainerTargetCmdlet
{
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord() => ForEachContainer(container =>
    {
        if (ShouldProcess(container.ToString(), "Resume container"))
        {
            Await(Client.UnpauseContainerAsync(container.Id, Cancellation));
            if (PassThru)
            {
                WriteObject(Inspect(container.Id));
            }
        }
    });
}
