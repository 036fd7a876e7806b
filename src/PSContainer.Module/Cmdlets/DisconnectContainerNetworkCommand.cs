using System.Management.Automation;

namespace PSContainer.Module.Cmdlets;

/// <summary>Detaches containers from a network.</summary>
[Cmdlet(VerbsCommunications.Disconnect, "ContainerNetwork", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Container))]
public sealed class DisconnectContainerNetworkCommand : ContainerTargetCmdlet
{
    [Parameter(Mandatory = true, Position = 1)]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Network { get; set; } = "";

    /// <summary>Disconnect even if the container is not running cleanly.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord() => ForEachContainer(container =>
    {
        if (!ShouldProcess(container.ToString(), "Disconnect from network " + Network))
        {
            return;
        }
        Await(Client.DisconnectNetworkAsync(Network, new Api.NetworkConnectRequest { Container = container.Id, Force = Force }, Cancellation));
        if (PassThru)
        {
            WriteObject(Inspect(container.Id));
        }
    });
}
