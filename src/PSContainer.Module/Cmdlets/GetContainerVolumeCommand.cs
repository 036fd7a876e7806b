using System.Management.Automation;
using PSContainer.Module.Client;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>Lists volumes, by wildcard name.</summary>
[Cmdlet(VerbsCommon.Get, "ContainerVolume")]
[OutputType(typeof(ContainerVolume))]
public sealed class GetContainerVolumeCommand : PSContainerCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(VolumeNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = [];

    /// <summary>Only volumes no container uses.</summary>
    [Parameter]
    public SwitchParameter Dangling { get; set; }

    protected override void ProcessRecord() => Try(Name, () =>
    {
        var filters = Dangling ? new Dictionary<string, IReadOnlyList<string>> { ["dangling"] = ["true"] } : null;
        var volumes = Await(Client.ListVolumesAsync(filters, Cancellation))
            .Select(v => ResourceConverter.ToVolume(v, Client.Endpoint.ToString()))
            .OrderBy(v => v.Name, StringComparer.Ordinal).ToList();
        if (Name.Length == 0)
        {
            WriteObject(volumes, enumerateCollection: true);
            return;
        }
        foreach (var name in Name)
        {
            Try(name, () =>
            {
                var found = volumes.Where(v => Wildcard.IsMatch(v.Name, name)).ToList();
                if (found.Count == 0 && !Wildcard.ContainsWildcard(name))
                {
                    throw new EngineException(EngineErrorKind.VolumeNotFound, $"No volume named '{name}' exists.");
                }
                WriteObject(found, enumerateCollection: true);
            });
        }
    });
}
