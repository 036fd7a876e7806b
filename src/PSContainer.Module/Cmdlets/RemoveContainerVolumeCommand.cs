using System.Management.Automation;

namespace PSContainer.Module.Cmdlets;

/// <summary>Removes volumes and the data in them. ConfirmImpact High: the data cannot be recovered.</summary>
[Cmdlet(VerbsCommon.Remove, "ContainerVolume", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(ContainerVolume))]
public sealed class RemoveContainerVolumeCommand : PSContainerCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(VolumeNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = [];

    /// <summary>Remove even when the engine would refuse (and, as with Remove-Item -Force, skip the confirmation).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            Try(name, () =>
            {
                if (!ShouldProcess(name, "Remove volume and its data"))
                {
                    return;
                }
                var before = PassThru ? Core.ResourceConverter.ToVolume(Await(Client.InspectVolumeAsync(name, Cancellation)), Client.Endpoint.ToString()) : null;
                Await(Client.RemoveVolumeAsync(name, Force, Cancellation));
                if (before is not null)
                {
                    WriteObject(before);
                }
            });
        }
    }
}
