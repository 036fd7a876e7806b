using System.Management.Automation;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>Lists containers (docker ps), by wildcard name, id, state and label.</summary>
[Cmdlet(VerbsCommon.Get, "Container", DefaultParameterSetName = ByName)]
[OutputType(typeof(Container))]
[Alias("Inspect-Container")]
public sealed class GetContainerCommand : PSContainerCmdlet
{
    private const string ByName = "ByName";
    private const string ById = "ById";

    [Parameter(Position = 0, ValueFromPipeline = true, ParameterSetName = ByName)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ContainerNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = [];

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ById)]
    [Alias("ContainerId")]
    [ValidateNotNullOrEmpty]
    public string[] Id { get; set; } = [];

    [Parameter]
    public ContainerState[] State { get; set; } = [];

    /// <summary>"key" or "key=value".</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] Label { get; set; } = [];

    /// <summary>Include stopped containers (the default lists running ones, like docker ps).</summary>
    [Parameter]
    public SwitchParameter All { get; set; }

    /// <summary>Inspect each container for every detail (StartedAt, Pid, Health, RestartPolicy...).</summary>
    [Parameter]
    public SwitchParameter Detailed { get; set; }

    protected override void ProcessRecord()
    {
        Try(Name.Length > 0 ? Name : Id, () =>
        {
            var result = Await(Containers.FindAsync(new ContainerFilter
            {
                Names = Name, Ids = Id, States = State, Labels = Label, All = All,
            }, Cancellation));
            foreach (var container in result.Found)
            {
                WriteObject(Detailed
                    ? ContainerConverter.FromInspect(Await(Client.InspectContainerAsync(container.Id, Cancellation)), Client.Endpoint.ToString())
                    : container);
            }
            foreach (var miss in result.Misses)
            {
                ReportError(miss, miss.Message);
            }
        });
    }
}
