using System.Management.Automation;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>Shared by the image cmdlets: registry credentials for a reference, and the image object for -PassThru.</summary>
public abstract class ImageCmdlet : PSContainerCmdlet
{
    /// <summary>The -Credential given, else the login saved by Connect-ContainerRegistry for the reference's registry.</summary>
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
        var saved = RegistryCredentialStore.ForCurrentUser(CallerEnvironment).Find(registry);
        return saved is { } found ? new Api.AuthConfig { Username = found.Username, Password = found.Password, ServerAddress = registry } : null;
    }

    protected ContainerImage InspectImage(string reference) =>
        ImageConverter.FromInspect(Await(Client.InspectImageAsync(reference, Cancellation)), Client.Endpoint.ToString(), reference);
}
