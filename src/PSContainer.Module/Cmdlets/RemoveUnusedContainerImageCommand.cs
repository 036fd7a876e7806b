using System.Management.Automation;

namespace PSContainer.Module.Cmdlets;

/// <summary>Removes untagged images, or with -All every image no container uses (docker image prune).</summary>
[Cmdlet(VerbsCommon.Remove, "UnusedContainerImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(ContainerPruneResult))]
public sealed class RemoveUnusedContainerImageCommand : PSContainerCmdlet
{
    /// <summary>Also tagged images no container uses.</summary>
    [Parameter]
    public SwitchParameter All { get; set; }

    protected override void EndProcessing() => Try(Client.Endpoint.ToString(), () =>
    {
        if (!ShouldProcess(Client.Endpoint.ToString(), All ? "Remove every image no container uses" : "Remove untagged images"))
        {
            return;
        }
        var filters = new Dictionary<string, IReadOnlyList<string>> { ["dangling"] = [All ? "false" : "true"] };
        var result = Await(Client.PruneImagesAsync(filters, Cancellation));
        WriteObject(new ContainerPruneResult
        {
            Kind = "images",
            Deleted = (result.ImagesDeleted ?? []).Select(d => d.Deleted ?? d.Untagged).OfType<string>().ToList(),
            SpaceReclaimed = result.SpaceReclaimed,
        });
    });
}
