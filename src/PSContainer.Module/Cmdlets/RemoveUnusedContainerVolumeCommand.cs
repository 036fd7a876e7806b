using System.Management.Automation;

namespace PSContainer.Module.Cmdlets;

/// <summary>Removes volumes no container uses, and their data (docker volume prune).</summary>
[Cmdlet(VerbsCommon.Remove, "UnusedContainerVolume", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(ContainerPruneResult))]
public sealed class RemoveUnusedContainerVolumeCommand : PSContainerCmdlet
{
    /// <summary>Also named volumes (by default only anonymous ones, as docker does since API 1.42).</summary>
    [Parameter]
    public SwitchParameter All { get; set; }

    protected override void EndProcessing() => Try(Client.Endpoint.ToString(), () =>
    {
        if (!ShouldProcess(Client.Endpoint.ToString(), "Remove unused volumes and their data"))
        {
            return;
        }
        var filters = All ? new Dictionary<string, IReadOnlyList<string>> { ["all"] = ["true"] } : null;
        var result = Await(Client.PruneVolumesAsync(filters, Cancellation));
        WriteObject(new ContainerPruneResult { Kind = "volumes", Deleted = result.VolumesDeleted ?? [], SpaceReclaimed = result.SpaceReclaimed });
    });
}
