using System.Management.Automation;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>Creates a network (a bridge by default).</summary>
[Cmdlet(VerbsCommon.New, "ContainerNetwork", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ContainerNetwork))]
public sealed class NewContainerNetworkCommand : PSContainerCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Driver { get; set; } = "bridge";

    /// <summary>CIDR, e.g. 172.30.0.0/16.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Subnet { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Gateway { get; set; }

    /// <summary>No route to the outside world.</summary>
    [Parameter]
    public SwitchParameter Internal { get; set; }

    [Parameter]
    public SwitchParameter IPv6 { get; set; }

    [Parameter]
    public object[] Option { get; set; } = [];

    [Parameter]
    public object[] Label { get; set; } = [];

    protected override void ProcessRecord() => Try(Name, () =>
    {
        var request = NetworkRequests.Create(Name, Driver, Subnet, Gateway, Internal, IPv6, Unwrap(Option), Unwrap(Label));
        if (!ShouldProcess(Name, "Create network"))
        {
            return;
        }
        var created = Await(Client.CreateNetworkAsync(request, Cancellation));
        if (created.Warning.Length > 0)
        {
            WriteWarning(created.Warning);
        }
        WriteObject(ResourceConverter.ToNetwork(Await(Client.InspectNetworkAsync(created.Id, Cancellation)), Client.Endpoint.ToString()));
    });
}
