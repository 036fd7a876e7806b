using System.Management.Automation;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>Shared by the image cmdlets: registry credentials for a reference, and the image object for -PassThru.</summary>
public abstract class ImageCmdlet : PSContainerCmdlet
{
    /// <summary>The -Credential given, else the login in Docker's config file (Connect-ContainerRegistry, docker login) for the reference's registry.</summary>
    protected Api.AuthConfig? AuthFor(string reference, PSCredential? credential)
    {
        var registry = RegistryCredentialStore.RegistryOf(reference);
        if (credential is not null)
        {
            return new Api.AuthConfig
            {
                Username = credential.UserName,
                Password = credential.GetNetworkCredential().Password,
                ServerAddress = registry,
            };
        }
        var (auth, warning) = RegistryCredentialStore.ToAuthConfig(RegistryCredentialStore.ForCurrentUser(CallerEnvironment).Lookup(registry), registry);
        if (warning is not null)
        {
            WriteWarning(warning);
        }
        return auth;
    }

    protected ContainerImage InspectImage(string reference) =>
        ImageConverter.FromInspect(Await(Client.InspectImageAsync(reference, Cancellation)), Client.Endpoint.ToString(), reference);
}
