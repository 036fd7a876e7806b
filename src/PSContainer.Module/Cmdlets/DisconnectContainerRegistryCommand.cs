using System.Management.Automation;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>Forgets the saved credentials of a registry (docker logout).</summary>
[Cmdlet(VerbsCommunications.Disconnect, "ContainerRegistry", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(string))]
[Alias("Logout-ContainerRegistry")]
public sealed class DisconnectContainerRegistryCommand : PSContainerCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true)]
    [ValidateNotNullOrEmpty]
    public string Registry { get; set; } = "docker.io";

    protected override void ProcessRecord() => Try(Registry, () =>
    {
        var store = RegistryCredentialStore.ForCurrentUser(CallerEnvironment);
        if (ShouldProcess(Registry, $"Remove the saved credentials from {store.ConfigPath}"))
        {
            if (!store.Remove(Registry))
            {
                WriteWarning($"No credentials for {Registry} were saved in {store.ConfigPath}.");
                return;
            }
            WriteObject($"Removed the credentials for {Registry}.");
        }
    });
}
