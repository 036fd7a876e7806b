using System.Management.Automation;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>
/// Pulls an image from a registry into the engine's store (docker pull), with a progress bar per
/// layer. Named Install- as Install-Module is: fetch from a repository and make it usable here;
/// Pull is not an approved verb, so Pull-ContainerImage is an alias.
/// </summary>
[Cmdlet(VerbsLifecycle.Install, "ContainerImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ContainerImage))]
[Alias("Pull-ContainerImage")]
public sealed class InstallContainerImageCommand : ImageCmdlet
{
    /// <summary>repository[:tag] or repository@digest; the tag defaults to latest.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Reference", "Image")]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = [];

    /// <summary>os/arch[/variant], e.g. linux/arm64.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Platform { get; set; }

    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>Return the image (the default writes nothing, like other Install- cmdlets).</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            Try(name, () =>
            {
                if (!ShouldProcess(name, "Pull image"))
                {
                    return;
                }
                var (repository, tag) = ImageConverter.SplitReference(name);
                var digest = name.Contains('@', StringComparison.Ordinal);
                ShowProgress($"Pulling {name}",
                    Client.PullImageAsync(digest ? name : repository, digest ? null : tag, Platform, AuthFor(name, Credential), Cancellation));
                if (PassThru)
                {
                    WriteObject(InspectImage(digest ? name : repository + ":" + tag));
                }
            });
        }
    }
}
