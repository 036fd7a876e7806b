using System.Management.Automation;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>Loads images from a docker or OCI archive (docker load), with progress; writes the loaded images.</summary>
[Cmdlet(VerbsData.Import, "ContainerImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ContainerImage))]
[Alias("Load-ContainerImage")]
public sealed class ImportContainerImageCommand : ImageCmdlet
{
    /// <summary>The archive file (.tar).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "LiteralPath")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    protected override void ProcessRecord()
    {
        foreach (var path in Path)
        {
            Try(path, () =>
            {
                var file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
                if (!File.Exists(file))
                {
                    throw new FileNotFoundException($"The archive '{file}' does not exist.", file);
                }
                if (!ShouldProcess(file, "Load images"))
                {
                    return;
                }
                using var archive = File.OpenRead(file);
                var messages = ShowProgress($"Loading {System.IO.Path.GetFileName(file)}", Client.LoadImageAsync(archive, Cancellation));
                foreach (var reference in LoadedImages.Parse(messages))
                {
                    WriteObject(InspectImage(reference));
                }
            });
        }
    }
}
