using System.Management.Automation;
using PSContainer.Module.Client;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>Lists networks, by wildcard name or id.</summary>
[Cmdlet(VerbsCommon.Get, "ContainerNetwork")]
[OutputType(typeof(ContainerNetwork))]
public sealed class GetContainerNetworkCommand : PSContainerCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = [];

    protected override void ProcessRecord() => Try(Name, () =>
    {
        var networks = Await(Client.ListNetworksAsync(null, Cancellation))
            .Select(n => ResourceConverter.ToNetwork(n, Client.Endpoint.ToString()))
            .OrderBy(n => n.Name, StringComparer.Ordinal).ToList();
        if (Name.Length == 0)
        {
            WriteObject(networks, enumerateCollection: true);
            return;
        }
        foreach (var name in Name)
        {
            Try(name, () => WriteObject(Wildcard.ContainsWildcard(name)
                ? NameResolver.Filter(networks, name, n => n.Id, n => [n.Name])
                : [NameResolver.ResolveOne(networks, name, n => n.Id, n => [n.Name], EngineErrorKind.NetworkNotFound, "network")],
                enumerateCollection: true));
        }
    });
}
