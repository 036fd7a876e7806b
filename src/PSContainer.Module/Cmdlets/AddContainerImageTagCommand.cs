using System.Management.Automation;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>Gives an image another name (docker tag).</summary>
[Cmdlet(VerbsCommon.Add, "ContainerImageTag", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ContainerImage))]
[Alias("Tag-ContainerImage")]
public sealed class AddContainerImageTagCommand : ImageCmdlet
{
    /// <summary>The image to tag: reference or id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Reference", "Image")]
    [ArgumentCompleter(typeof(ImageReferenceCompleter))]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>The new name: repository[:tag].</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Tag { get; set; } = "";

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord() => Try(Name, () =>
    {
        if (Tag.Contains('@', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{Tag}' is a digest reference; a tag is repository[:tag].");
        }
        var (repository, tag) = ImageConverter.SplitReference(Tag);
        if (ShouldProcess(Name, $"Tag as {repository}:{tag}"))
        {
            Await(Client.TagImageAsync(Name, repository, tag, Cancellation));
            if (PassThru)
            {
                WriteObject(InspectImage(repository + ":" + tag));
            }
        }
    });
}
