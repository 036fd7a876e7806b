using System.Management.Automation;
using PSContainer.Module.Client;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>Lists images, one object per tag (docker images); -Name takes references or wildcards.</summary>
[Cmdlet(VerbsCommon.Get, "ContainerImage")]
[OutputType(typeof(ContainerImage))]
public sealed class GetContainerImageCommand : ImageCmdlet
{
    /// <summary>Repository, repository:tag, id, or a wildcard pattern over repository:tag.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Reference", "Image")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ImageReferenceCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = [];

    /// <summary>Include intermediate images.</summary>
    [Parameter]
    public SwitchParameter All { get; set; }

    /// <summary>Only images without a tag.</summary>
    [Parameter]
    public SwitchParameter Dangling { get; set; }

    protected override void ProcessRecord() => Try(Name, () =>
    {
        var filters = Dangling ? new Dictionary<string, IReadOnlyList<string>> { ["dangling"] = ["true"] } : null;
        var images = Await(Client.ListImagesAsync(All, filters, Cancellation))
            .SelectMany(i => ImageConverter.FromSummary(i, Client.Endpoint.ToString()))
            .OrderBy(i => i.Repository, StringComparer.Ordinal).ThenBy(i => i.Tag, StringComparer.Ordinal)
            .ToList();
        if (Name.Length == 0)
        {
            WriteObject(images, enumerateCollection: true);
            return;
        }
        foreach (var name in Name)
        {
            Try(name, () =>
            {
                var found = ImageMatcher.Match(images, name);
                if (found.Count == 0 && !Wildcard.ContainsWildcard(name))
                {
                    throw new EngineException(EngineErrorKind.ImageNotFound, $"No image matches '{name}'.");
                }
                WriteObject(found, enumerateCollection: true);
            });
        }
    });
}
