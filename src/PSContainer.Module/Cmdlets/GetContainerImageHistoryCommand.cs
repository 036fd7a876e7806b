using System.Management.Automation;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>Shows the steps that made an image, newest first (docker history).</summary>
[Cmdlet(VerbsCommon.Get, "ContainerImageHistory")]
[OutputType(typeof(ContainerImageHistory))]
public sealed class GetContainerImageHistoryCommand : ImageCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name", "Image")]
    [ArgumentCompleter(typeof(ImageReferenceCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Reference { get; set; } = [];

    protected override void ProcessRecord()
    {
        foreach (var reference in Reference)
        {
            Try(reference, () => WriteObject(
                Await(Client.ImageHistoryAsync(reference, Cancellation)).Select(ImageConverter.FromHistory), enumerateCollection: true));
        }
    }
}
