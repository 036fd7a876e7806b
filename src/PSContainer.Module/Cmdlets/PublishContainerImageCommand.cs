using System.Management.Automation;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>Pushes an image to its registry (docker push), with a progress bar per layer.</summary>
[Cmdlet(VerbsData.Publish, "ContainerImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ContainerImage))]
[Alias("Push-ContainerImage")]
public sealed class PublishContainerImageCommand : ImageCmdlet
{
    /// <summary>registry/repository:tag to push.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Reference", "Image")]
    [ArgumentCompleter(typeof(ImageReferenceCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = [];

    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            Try(name, () =>
            {
                if (!ShouldProcess(name, "Push image to " + RegistryCredentialStore.RegistryOf(name)))
                {
                    return;
                }
                var (repository, tag) = ImageConverter.SplitReference(name);
                ShowProgress($"Pushing {name}", Client.PushImageAsync(repository, tag, AuthFor(name, Credential), Cancellation));
                if (PassThru)
                {
                    WriteObject(InspectImage(name));
                }
            });
        }
    }
}
