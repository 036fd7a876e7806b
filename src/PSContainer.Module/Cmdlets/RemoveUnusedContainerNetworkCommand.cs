using System.Management.Automation;

namespace PSContainer.Module.Cmdlets;

/// <summary>Removes networks no container is attached to (docker network prune).</summary>
[Cmdlet(VerbsCommon.Remove, "UnusedContainerNetwork", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(ContainerPruneResult))]
public sealed class RemoveUnusedContainerNetworkCommand : PSContainerCmdlet
{
    protected override void EndProcessing() => Try(Client.Endpoint.ToString(), () =>
    {
        if (!ShouldProcess(Client.Endpoint.ToString(), "Remove unused networks"))
        {
            return;
        }
        WriteObject(new ContainerPruneResult { Kind = "networks", Deleted = Await(Client.PruneNetworksAsync(null, Cancellation)) });
    });
}
