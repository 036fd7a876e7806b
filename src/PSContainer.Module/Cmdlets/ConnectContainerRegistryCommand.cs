using System.Management.Automation;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>
/// Logs in to a registry: the engine checks the credentials with the registry, then they are
/// saved in Docker's config file (~/.docker/config.json) for pulls and pushes, shared with the docker CLI.
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "ContainerRegistry", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(string))]
[Alias("Login-ContainerRegistry")]
public sealed class ConnectContainerRegistryCommand : PSContainerCmdlet
{
    /// <summary>The registry host (registry.example.com:5000); docker.io by default.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Registry { get; set; } = "docker.io";

    [Parameter(Mandatory = true, Position = 1)]
    [Credential]
    public PSCredential Credential { get; set; } = PSCredential.Empty;

    /// <summary>Save without asking the engine to check the credentials first.</summary>
    [Parameter]
    public SwitchParameter SkipVerification { get; set; }

    protected override void ProcessRecord() => Try(Registry, () =>
    {
        var password = Credential.GetNetworkCredential().Password;
        var store = RegistryCredentialStore.ForCurrentUser(CallerEnvironment);
        if (!ShouldProcess(Registry, $"Log in as {Credential.UserName} and save the credentials in {store.ConfigPath}"))
        {
            return;
        }
        string? identityToken = null;
        if (!SkipVerification)
        {
            var answer = Await(Client.AuthenticateAsync(new Api.AuthConfig
            {
                Username = Credential.UserName,
                Password = password,
                ServerAddress = Registry,
            }, Cancellation));
            identityToken = string.IsNullOrEmpty(answer.IdentityToken) ? null : answer.IdentityToken;
            WriteObject(answer.Status);
        }
        if (store.Lookup(Registry).Helper is { } helper)
        {
            WriteWarning($"Docker's config file names the credential helper {helper} for {Registry}; the login is saved in the file itself, " +
                "which this module reads but the docker CLI ignores while the helper is configured.");
        }
        // An identity token from the registry replaces the password in the file, as the docker CLI does it.
        store.Save(Registry, Credential.UserName, password, identityToken);
    });
}
