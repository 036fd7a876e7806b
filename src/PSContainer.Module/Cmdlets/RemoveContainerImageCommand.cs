using System.Management.Automation;

namespace PSContainer.Module.Cmdlets;

/// <summary>Removes image tags, and the image when its last tag goes (docker rmi).</summary>
[Cmdlet(VerbsCommon.Remove, "ContainerImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ContainerImage))]
public sealed class RemoveContainerImageCommand : ImageCmdlet
{
    /// <summary>repository:tag or an image id (piped images bind their Reference).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name", "Image")]
    [ArgumentCompleter(typeof(ImageReferenceCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Reference { get; set; } = [];

    /// <summary>Remove even when containers use it or it has several tags.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Keep untagged parent images.</summary>
    [Parameter]
    public SwitchParameter NoPrune { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var reference in Reference)
        {
            Try(reference, () =>
            {
                if (!ShouldProcess(reference, "Remove image"))
                {
                    return;
                }
                var before = PassThru ? InspectImage(reference) : null;
                foreach (var item in Await(Client.RemoveImageAsync(reference, Force, NoPrune, Cancellation)))
                {
                    WriteVerbose(item.Untagged is not null ? "Untagged: " + item.Untagged : "Deleted: " + item.Deleted);
                }
                if (before is not null)
                {
                    WriteObject(before);
                }
            });
        }
    }
}
