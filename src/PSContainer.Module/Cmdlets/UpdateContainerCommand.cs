using System.Management.Automation;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>Changes the resource limits or restart policy of existing containers (docker update).</summary>
[Cmdlet(VerbsData.Update, "Container", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Container))]
public sealed class UpdateContainerCommand : ContainerTargetCmdlet
{
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long? Memory { get; set; }

    [Parameter]
    [ValidateRange(0.0, 1024.0)]
    public double? Cpu { get; set; }

    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long? CpuShares { get; set; }

    [Parameter]
    [ValidateRange(-1, long.MaxValue)]
    public long? PidsLimit { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Restart { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        Api.ContainerUpdateRequest update;
        try
        {
            update = new Api.ContainerUpdateRequest
            {
                Memory = Memory ?? 0,
                NanoCpus = Cpu is { } cpu ? CpuParser.ToNanoCpus(cpu) : 0,
                CpuShares = CpuShares ?? 0,
                PidsLimit = PidsLimit,
                RestartPolicy = Restart is null ? null : RestartPolicyParser.Parse(Restart),
            };
        }
        catch (ArgumentException e)
        {
            ThrowTerminatingError(ErrorRecords.Create(e, Restart));
            return;
        }
        ForEachContainer(container =>
        {
            if (ShouldProcess(container.ToString(), "Update container resources"))
            {
                var response = Await(Client.UpdateContainerAsync(container.Id, update, Cancellation));
                foreach (var warning in response.Warnings)
                {
                    WriteWarning(warning);
                }
                if (PassThru)
                {
                    WriteObject(Inspect(container.Id));
                }
            }
        });
    }
}
