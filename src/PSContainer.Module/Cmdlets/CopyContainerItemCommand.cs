using System.Management.Automation;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>
/// Copies files and directories between this machine and a container (docker cp), like
/// Copy-Item -ToSession/-FromSession: -ToContainer names the container to copy into,
/// -FromContainer the one to copy out of.
/// </summary>
[Cmdlet(VerbsCommon.Copy, "ContainerItem", DefaultParameterSetName = ToSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FileSystemInfo))]
public sealed class CopyContainerItemCommand : PSContainerCmdlet
{
    private const string ToSet = "ToContainer";
    private const string FromSet = "FromContainer";

    /// <summary>The source: a host path with -ToContainer, a path in the container with -FromContainer.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>The target: a directory (or new name) in the container with -ToContainer, on the host with -FromContainer.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Destination { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = ToSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ContainerNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string ToContainer { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = FromSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ContainerNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string FromContainer { get; set; } = "";

    /// <summary>Return the copied item on the host (with -FromContainer).</summary>
    [Parameter(ParameterSetName = FromSet)]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ToSet)
        {
            Try(ToContainer, CopyIn);
        }
        else
        {
            Try(FromContainer, CopyOut);
        }
    }

    private void CopyIn()
    {
        var source = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        var container = Await(Containers.ResolveAsync(ToContainer, Cancellation));
        if (!Destination.StartsWith('/'))
        {
            throw new ArgumentException($"-Destination '{Destination}' must be an absolute path in the container.");
        }
        // "/dir/" or an existing directory keeps the source's name; "/dir/newname" renames it.
        var (directory, name) = Destination.EndsWith('/') || Destination == "/"
            ? (Destination, System.IO.Path.GetFileName(source.TrimEnd('/')))
            : (PosixDirectory(Destination), PosixFileName(Destination));
        if (!ShouldProcess($"{container}:{directory.TrimEnd('/')}/{name}", $"Copy {source}"))
        {
            return;
        }
        using var tar = new MemoryStream();
        Await(ArchiveTransfer.PackAsync(source, name, tar, Cancellation));
        tar.Position = 0;
        Await(Client.PutArchiveAsync(container.Id, directory, tar, noOverwriteDirNonDir: true, Cancellation));
    }

    private void CopyOut()
    {
        var destination = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Destination);
        var container = Await(Containers.ResolveAsync(FromContainer, Cancellation));
        if (!ShouldProcess(destination, $"Copy {container}:{Path}"))
        {
            return;
        }
        using var response = Await(Client.GetArchiveAsync(container.Id, Path, Cancellation));
        using var body = Await(response.Content.ReadAsStreamAsync(Cancellation));
        var written = Await(ArchiveTransfer.UnpackAsync(body, destination, Cancellation));
        if (PassThru)
        {
            WriteObject(Directory.Exists(written) ? new DirectoryInfo(written) : new FileInfo(written));
        }
    }

    private static string PosixDirectory(string path)
    {
        var slash = path.TrimEnd('/').LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }

    private static string PosixFileName(string path) => path.TrimEnd('/')[(path.TrimEnd('/').LastIndexOf('/') + 1)..];
}
