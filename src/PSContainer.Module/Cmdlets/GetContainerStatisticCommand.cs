using System.Management.Automation;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>Resource usage of containers: one sample each, or with -Stream a sample a second until Ctrl+C.</summary>
[Cmdlet(VerbsCommon.Get, "ContainerStatistic")]
[OutputType(typeof(ContainerStatistic))]
public sealed class GetContainerStatisticCommand : ContainerTargetCmdlet
{
    [Parameter]
    public SwitchParameter Stream { get; set; }

    protected override void ProcessRecord() => ForEachContainer(container =>
        ForEach(Client.ContainerStatsAsync(container.Id, Stream, Cancellation),
            sample => WriteObject(StatisticConverter.ToStatistic(sample, container.Id, container.ToString()))));
}
