using System.Management.Automation;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>
/// Builds an image from a Dockerfile and a context directory (docker build): the context is sent
/// as a tar, build output goes to the verbose stream. Needs an engine that implements POST /build;
/// one that does not answers with a NotSupported error.
/// </summary>
// "Build" is an approved verb since PowerShell 6; PowerShellStandard 5.1 has no constant for it.
[Cmdlet("Build", "ContainerImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ContainerImage))]
public sealed class BuildContainerImageCommand : ImageCmdlet
{
    /// <summary>The build context directory.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>repository[:tag] for the result.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Tag { get; set; } = "";

    /// <summary>The Dockerfile, relative to the context (default Dockerfile).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? File { get; set; }

    protected override void ProcessRecord() => Try(Path, () =>
    {
        var context = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        if (!Directory.Exists(context))
        {
            throw new DirectoryNotFoundException($"The build context '{context}' is not a directory.");
        }
        if (!ShouldProcess(context, "Build image " + Tag))
        {
            return;
        }
        using var tar = new MemoryStream();
        Await(BuildContext.PackAsync(context, tar, Cancellation));
        tar.Position = 0;
        ShowProgress("Building " + Tag, Client.BuildImageAsync(tar, Tag, File, Cancellation));
        WriteObject(InspectImage(Tag));
    });
}
