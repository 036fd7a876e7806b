using System.Management.Automation;

namespace PSContainer.Module.Cmdlets;

/// <summary>Removes containers; -Force also removes running ones (killing them), -Volumes their anonymous volumes.</summary>
[Cmdlet(VerbsCommon.Remove, "Container", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Container))]
public sealed class RemoveContainerCommand : ContainerTargetCmdlet
{
    /// <summary>Remove even a running container (it is killed first).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Also remove the anonymous volumes the container created.</summary>
    [Parameter]
    public SwitchParameter Volumes { get; set; }

    /// <summary>Return the removed container as it was.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord() => ForEachContainer(container =>
    {
        if (ShouldProcess(container.ToString(), Volumes ? "Remove container and its anonymous volumes" : "Remove container"))
        {
            Await(Client.RemoveContainerAsync(container.Id, Force, Volumes, Cancellation));
            Containers.Invalidate();
            if (PassThru)
            {
                WriteObject(container);
            }
        }
    });
}
