using System.Management.Automation;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>Blocks until containers stop and returns how each exited (docker wait).</summary>
[Cmdlet(VerbsLifecycle.Wait, "Container")]
[OutputType(typeof(ContainerWaitResult))]
public sealed class WaitContainerCommand : ContainerTargetCmdlet
{
    /// <summary>not-running (default), next-exit, or removed.</summary>
    [Parameter]
    [ValidateSet("not-running", "next-exit", "removed")]
    public string Condition { get; set; } = "not-running";

    protected override void ProcessRecord() => ForEachContainer(container =>
    {
        var result = Await(Client.WaitContainerAsync(container.Id, Condition, Cancellation));
        WriteObject(new ContainerWaitResult
        {
            ContainerId = container.Id,
            Name = container.ToString(),
            ExitCode = result.StatusCode,
            Error = result.Error?.Message,
        });
    });
}
