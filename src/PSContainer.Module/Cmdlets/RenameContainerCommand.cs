using System.Management.Automation;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>Gives a container a new name.</summary>
[Cmdlet(VerbsCommon.Rename, "Container", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Container))]
public sealed class RenameContainerCommand : PSContainerCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name", "ContainerId")]
    [ArgumentCompleter(typeof(ContainerNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Id { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string NewName { get; set; } = "";

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord() => Try(Id, () =>
    {
        NameRules.CheckContainerName(NewName);
        var container = Await(Containers.ResolveAsync(Id, Cancellation));
        if (ShouldProcess(container.ToString(), $"Rename container to {NewName}"))
        {
            Await(Client.RenameContainerAsync(container.Id, NewName, Cancellation));
            Containers.Invalidate();
            if (PassThru)
            {
                WriteObject(ContainerConverter.FromInspect(Await(Client.InspectContainerAsync(container.Id, Cancellation)), Client.Endpoint.ToString()));
            }
        }
    });
}
