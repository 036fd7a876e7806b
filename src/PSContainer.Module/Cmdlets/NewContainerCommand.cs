using System.Management.Automation;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>Creates a container from an image without starting it (docker create).</summary>
[Cmdlet(VerbsCommon.New, "Container", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Container))]
[Alias("Create-Container")]
public sealed class NewContainerCommand : ContainerCreateCmdlet
{
    protected override void ProcessRecord()
    {
        var options = BuildOptions();
        if (!ShouldProcess($"{options.Name ?? "a new container"} from {options.Image}", "Create container"))
        {
            return;
        }
        Try(options.Image, () =>
        {
            var request = ContainerCreateRequestBuilder.Build(options, CallerEnvironment);
            var created = Await(Client.CreateContainerAsync(request, options.Name, Cancellation));
            foreach (var warning in created.Warnings)
            {
                WriteWarning(warning);
            }
            Containers.Invalidate();
            WriteObject(ContainerConverter.FromInspect(Await(Client.InspectContainerAsync(created.Id, Cancellation)), Client.Endpoint.ToString()));
        });
    }
}
