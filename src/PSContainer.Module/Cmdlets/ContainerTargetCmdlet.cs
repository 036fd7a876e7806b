using System.Management.Automation;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>
/// A cmdlet that acts on existing containers named by -Id: names, ids, id prefixes or wildcard
/// patterns, typed or piped (strings by value; Container objects by their Id property). Each
/// one is resolved and handled on its own, so one bad name is one non-terminating error.
/// </summary>
public abstract class ContainerTargetCmdlet : PSContainerCmdlet
{
    /// <summary>Names, ids, id prefixes or wildcard patterns of containers.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name", "ContainerId")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ContainerNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Id { get; set; } = [];

    protected void ForEachContainer(Action<Container> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        foreach (var value in Id)
        {
            Try(value, () =>
            {
                var matches = Wildcard.ContainsWildcard(value)
                    ? Await(Containers.MatchAsync(value, Cancellation))
                    : [Await(Containers.ResolveAsync(value, Cancellation))];
                foreach (var container in matches)
                {
                    Try(container, () => action(container));
                }
            });
        }
    }

    /// <summary>The container as it is now (for -PassThru after a change).</summary>
    protected Container Inspect(string id) =>
        ContainerConverter.FromInspect(Await(Client.InspectContainerAsync(id, Cancellation)), Client.Endpoint.ToString());
}
