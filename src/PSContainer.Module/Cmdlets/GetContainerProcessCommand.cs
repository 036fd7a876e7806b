using System.Management.Automation;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>Lists the processes running in containers (docker top).</summary>
[Cmdlet(VerbsCommon.Get, "ContainerProcess")]
[OutputType(typeof(ContainerProcess))]
public sealed class GetContainerProcessCommand : ContainerTargetCmdlet
{
    /// <summary>Options for ps (default -ef).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? PsArgument { get; set; }

    protected override void ProcessRecord() => ForEachContainer(container =>
    {
        var top = Await(Client.TopContainerAsync(container.Id, PsArgument, Cancellation));
        WriteObject(ResourceConverter.ToProcesses(top, container.Id, container.ToString()), enumerateCollection: true);
    });
}
