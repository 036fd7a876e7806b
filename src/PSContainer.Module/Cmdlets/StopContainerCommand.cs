using System.Management.Automation;

namespace PSContainer.Module.Cmdlets;

/// <summary>Stops containers: the stop signal, then SIGKILL after -Timeout seconds; -Force kills at once (docker kill).</summary>
[Cmdlet(VerbsLifecycle.Stop, "Container", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Container))]
public sealed class StopContainerCommand : ContainerTargetCmdlet
{
    /// <summary>Seconds to wait after the stop signal before killing.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int? Timeout { get; set; }

    /// <summary>The signal to send (SIGTERM by default, or the image's STOPSIGNAL).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Signal { get; set; }

    /// <summary>Kill immediately (SIGKILL, or -Signal) instead of a graceful stop.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord() => ForEachContainer(container =>
    {
        if (!ShouldProcess(container.ToString(), Force ? "Kill container" : "Stop container"))
        {
            return;
        }
        if (Force)
        {
            Await(Client.KillContainerAsync(container.Id, Signal, Cancellation));
        }
        else if (!Await(Client.StopContainerAsync(container.Id, Timeout, Signal, Cancellation)))
        {
            WriteVerbose($"{container} was not running.");
        }
        if (PassThru)
        {
            WriteObject(Inspect(container.Id));
        }
    });
}
