using System.Management.Automation;

namespace PSContainer.Module.Cmdlets;

/// <summary>Removes networks no container is attached to.</summary>
[Cmdlet(VerbsCommon.Remove, "ContainerNetwork", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ContainerNetwork))]
public sealed class RemoveContainerNetworkCommand : PSContainerCmdlet
{
    /// <summary>Names or ids (piped networks bind their Name).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = [];

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            Try(name, () =>
            {
                if (!ShouldProcess(name, "Remove network"))
                {
                    return;
                }
                var before = PassThru ? Core.ResourceConverter.ToNetwork(Await(Client.InspectNetworkAsync(name, Cancellation)), Client.Endpoint.ToString()) : null;
                Await(Client.RemoveNetworkAsync(name, Cancellation));
                if (before is not null)
                {
                    WriteObject(before);
                }
            });
        }
    }
}
