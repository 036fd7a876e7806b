using System.Management.Automation;

namespace PSContainer.Module.Cmdlets;

/// <summary>Attaches containers to a network.</summary>
[Cmdlet(VerbsCommunications.Connect, "ContainerNetwork", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Container))]
public sealed class ConnectContainerNetworkCommand : ContainerTargetCmdlet
{
    [Parameter(Mandatory = true, Position = 1)]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Network { get; set; } = "";

    /// <summary>Other names the container answers to on this network.</summary>
    [Parameter]
    public string[] NetworkAlias { get; set; } = [];

    /// <summary>A fixed IPv4 address on the network.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? IPAddress { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord() => ForEachContainer(container =>
    {
        if (IPAddress is not null && !System.Net.IPAddress.TryParse(IPAddress, out _))
        {
            throw new ArgumentException($"-IPAddress '{IPAddress}' is not an IP address.");
        }
        if (!ShouldProcess(container.ToString(), "Connect to network " + Network))
        {
            return;
        }
        Await(Client.ConnectNetworkAsync(Network, new Api.NetworkConnectRequest
        {
            Container = container.Id,
            EndpointConfig = new Api.EndpointSettings
            {
                Aliases = NetworkAlias.Length > 0 ? NetworkAlias.ToList() : null,
                IPAMConfig = IPAddress is null ? null : new Api.EndpointIpamConfig { IPv4Address = IPAddress },
            },
        }, Cancellation));
        if (PassThru)
        {
            WriteObject(Inspect(container.Id));
        }
    });
}
