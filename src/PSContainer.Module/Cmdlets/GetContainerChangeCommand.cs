using System.Management.Automation;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>Lists the files added, changed or deleted in a container's writable layer (docker diff).</summary>
[Cmdlet(VerbsCommon.Get, "ContainerChange")]
[OutputType(typeof(ContainerChange))]
public sealed class GetContainerChangeCommand : ContainerTargetCmdlet
{
    protected override void ProcessRecord() => ForEachContainer(container =>
        WriteObject(ResourceConverter.ToChanges(Await(Client.ContainerChangesAsync(container.Id, Cancellation)), container.Id), enumerateCollection: true));
}
