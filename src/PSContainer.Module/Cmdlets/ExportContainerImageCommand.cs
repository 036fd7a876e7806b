using System.Management.Automation;

namespace PSContainer.Module.Cmdlets;

/// <summary>Saves images (with their tags) to one docker archive (docker save).</summary>
[Cmdlet(VerbsData.Export, "ContainerImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FileInfo))]
[Alias("Save-ContainerImage")]
public sealed class ExportContainerImageCommand : ImageCmdlet
{
    private readonly List<string> _names = [];

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Reference", "Image")]
    [ArgumentCompleter(typeof(ImageReferenceCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = [];

    /// <summary>The archive to write.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    // Piped images are collected and saved together, so one archive holds them all (shared layers once).
    protected override void ProcessRecord() => _names.AddRange(Name);

    protected override void EndProcessing() => Try(Path, () =>
    {
        var file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        if (File.Exists(file) && !Force)
        {
            throw new IOException($"'{file}' exists; use -Force to overwrite it.");
        }
        if (_names.Count == 0 || !ShouldProcess(file, "Save " + string.Join(", ", _names.Distinct())))
        {
            return;
        }
        using var response = Await(Client.SaveImagesAsync(_names.Distinct(), Cancellation));
        Await(StreamFiles.SaveAsync(response, file, Cancellation));
        if (PassThru)
        {
            WriteObject(new FileInfo(file));
        }
    });
}
