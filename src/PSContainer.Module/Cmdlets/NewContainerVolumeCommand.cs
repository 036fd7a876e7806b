using System.Management.Automation;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>Creates a named volume.</summary>
[Cmdlet(VerbsCommon.New, "ContainerVolume", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ContainerVolume))]
public sealed class NewContainerVolumeCommand : PSContainerCmdlet
{
    /// <summary>The name; the engine picks one when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Driver { get; set; } = "local";

    /// <summary>Driver options: a hashtable or 'key=value' strings.</summary>
    [Parameter]
    public object[] Option { get; set; } = [];

    [Parameter]
    public object[] Label { get; set; } = [];

    protected override void ProcessRecord() => Try(Name, () =>
    {
        var options = KeyValueParser.ParseLabels(Unwrap(Option));
        var labels = KeyValueParser.ParseLabels(Unwrap(Label));
        if (!ShouldProcess(Name ?? "a new volume", "Create volume"))
        {
            return;
        }
        var created = Await(Client.CreateVolumeAsync(new Api.VolumeCreateRequest
        {
            Name = Name,
            Driver = Driver,
            DriverOpts = options.Count > 0 ? options : null,
            Labels = labels.Count > 0 ? labels : null,
        }, Cancellation));
        WriteObject(ResourceConverter.ToVolume(created, Client.Endpoint.ToString()));
    });
}
