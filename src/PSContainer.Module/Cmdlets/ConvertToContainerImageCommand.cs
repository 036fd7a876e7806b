using System.Management.Automation;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>Makes an image from a container's current filesystem (docker commit).</summary>
[Cmdlet(VerbsData.ConvertTo, "ContainerImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ContainerImage))]
[Alias("Commit-Container")]
public sealed class ConvertToContainerImageCommand : ImageCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name", "ContainerId")]
    [ArgumentCompleter(typeof(ContainerNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Id { get; set; } = "";

    /// <summary>repository[:tag] for the new image; none leaves it untagged.</summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Tag { get; set; }

    [Parameter]
    public string? Message { get; set; }

    [Parameter]
    public string? Author { get; set; }

    /// <summary>Dockerfile instructions applied to the image config (CMD, ENV, LABEL, ...).</summary>
    [Parameter]
    public string[] Change { get; set; } = [];

    /// <summary>Do not pause the container while committing.</summary>
    [Parameter]
    public SwitchParameter NoPause { get; set; }

    protected override void ProcessRecord() => Try(Id, () =>
    {
        var container = Await(Containers.ResolveAsync(Id, Cancellation));
        if (!ShouldProcess(container.ToString(), "Commit to image " + (Tag ?? "(untagged)")))
        {
            return;
        }
        var (repository, tag) = Tag is null ? ((string?)null, (string?)null) : ImageConverter.SplitReference(Tag);
        var created = Await(Client.CommitContainerAsync(container.Id, repository, tag, Message, Author, !NoPause, Change, Cancellation));
        WriteObject(InspectImage(created.Id));
    });
}
