using System.Management.Automation;

namespace PSContainer.Module.Cmdlets;

/// <summary>Writes a container's filesystem to a tar file (docker export).</summary>
[Cmdlet(VerbsData.Export, "Container", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FileInfo))]
public sealed class ExportContainerCommand : PSContainerCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name", "ContainerId")]
    [ArgumentCompleter(typeof(ContainerNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Id { get; set; } = "";

    /// <summary>The tar file to write.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>Overwrite an existing file.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord() => Try(Id, () =>
    {
        var file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        var container = Await(Containers.ResolveAsync(Id, Cancellation));
        if (File.Exists(file) && !Force)
        {
            throw new IOException($"'{file}' exists; use -Force to overwrite it.");
        }
        if (!ShouldProcess(file, $"Export the filesystem of {container}"))
        {
            return;
        }
        using var response = Await(Client.ExportContainerAsync(container.Id, Cancellation));
        Await(StreamFiles.SaveAsync(response, file, Cancellation));
        if (PassThru)
        {
            WriteObject(new FileInfo(file));
        }
    });
}
