using System.Management.Automation;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>Removes every stopped container (docker container prune).</summary>
[Cmdlet(VerbsCommon.Remove, "StoppedContainer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(ContainerPruneResult))]
public sealed class RemoveStoppedContainerCommand : PSContainerCmdlet
{
    /// <summary>Only containers with this label ("key" or "key=value").</summary>
    [Parameter]
    public string[] Label { get; set; } = [];

    protected override void EndProcessing() => Try(Client.Endpoint.ToString(), () =>
    {
        if (!ShouldProcess(Client.Endpoint.ToString(), "Remove all stopped containers"))
        {
            return;
        }
        var filters = new Dictionary<string, IReadOnlyList<string>> { ["label"] = Label };
        var result = Await(Client.PruneContainersAsync(filters, Cancellation));
        WriteObject(new ContainerPruneResult { Kind = "containers", Deleted = result.ContainersDeleted ?? [], SpaceReclaimed = result.SpaceReclaimed });
    });
}
