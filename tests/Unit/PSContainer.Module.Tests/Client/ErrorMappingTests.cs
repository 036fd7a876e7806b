using System.Net;
using PSContainer.Module.Client;
using PSContainer.Module.Core;
using Xunit;

namespace PSContainer.Module.Tests.Client;

public class ErrorMappingTests
{
    [Theory]
    [InlineData(HttpStatusCode.NotFound, "No such image: busybox:latest", EngineResource.Container, EngineErrorKind.ImageNotFound)]
    [InlineData(HttpStatusCode.NotFound, "", EngineResource.Container, EngineErrorKind.ContainerNotFound)]
    [InlineData(HttpStatusCode.NotFound, "get data: no such volume", EngineResource.Volume, EngineErrorKind.VolumeNotFound)]
    [InlineData(HttpStatusCode.NotFound, "network blue not found", EngineResource.Network, EngineErrorKind.NetworkNotFound)]
    [InlineData(HttpStatusCode.NotFound, "page not found", EngineResource.Engine, EngineErrorKind.NotSupported)]
    [InlineData(HttpStatusCode.NotFound, "Could not find the file /no/such in container web", EngineResource.Container, EngineErrorKind.PathNotFound)]
    [InlineData(HttpStatusCode.Conflict, "You cannot remove a running container abc. Stop the container before attempting removal or force remove", EngineResource.Container, EngineErrorKind.ContainerRunning)]
    [InlineData(HttpStatusCode.Conflict, "conflict: unable to delete 1234 (must be forced) - image is being used by stopped container abc", EngineResource.Image, EngineErrorKind.ResourceInUse)]
    [InlineData(HttpStatusCode.Conflict, "remove data: volume is in use - [abc]", EngineResource.Volume, EngineErrorKind.ResourceInUse)]
    [InlineData(HttpStatusCode.Conflict, "Container abc is paused. Unpause the container before stopping or killing", EngineResource.Container, EngineErrorKind.ContainerNotRunning)]
    [InlineData(HttpStatusCode.Unauthorized, "unauthorized: incorrect username or password", EngineResource.Engine, EngineErrorKind.Unauthorized)]
    [InlineData(HttpStatusCode.NotImplemented, "not implemented", EngineResource.Engine, EngineErrorKind.NotSupported)]
    [InlineData(HttpStatusCode.Forbidden, "error while removing network: network web has active endpoints", EngineResource.Network, EngineErrorKind.ResourceInUse)]
    [InlineData(HttpStatusCode.Forbidden, "bridge is a pre-defined network and cannot be removed", EngineResource.Network, EngineErrorKind.OperationNotPermitted)]
    [InlineData(HttpStatusCode.Forbidden, "denied: requested access to the resource is denied", EngineResource.Image, EngineErrorKind.Unauthorized)]
    public void The_Table_Maps_Docker_Statuses_And_Messages(HttpStatusCode status, string message, EngineResource resource, EngineErrorKind kind) =>
        Assert.Equal(kind, EngineErrorMapper.Map(status, message, resource));

    [Fact]
    public void Every_Kind_Has_A_Stable_Id_And_A_Category_That_Exists_In_PowerShell()
    {
        var categories = Enum.GetNames<System.Management.Automation.ErrorCategory>();
        foreach (var kind in Enum.GetValues<EngineErrorKind>())
        {
            var entry = ErrorCatalog.For(kind);
            Assert.Equal(kind.ToString(), entry.ErrorId);
            Assert.Contains(entry.Category, categories);
        }
        Assert.True(ErrorCatalog.For(EngineErrorKind.EngineUnavailable).Terminating);
        Assert.False(ErrorCatalog.For(EngineErrorKind.ContainerNotFound).Terminating);
        Assert.Equal("ObjectNotFound", ErrorCatalog.For(EngineErrorKind.ContainerNotFound).Category);
        Assert.Equal("ResourceExists", ErrorCatalog.For(EngineErrorKind.NameConflict).Category);
        Assert.Equal("ConnectionError", ErrorCatalog.For(EngineErrorKind.EngineUnavailable).Category);
    }

    [Fact]
    public void Error_Bodies_That_Are_Not_Json_Are_Shown_As_They_Are()
    {
        Assert.Equal("No such container: x", EngineClient.ErrorMessage("{\"message\":\"No such container: x\"}"));
        Assert.Equal("502 Bad Gateway", EngineClient.ErrorMessage("502 Bad Gateway\n"));
        Assert.Equal("", EngineClient.ErrorMessage(""));
    }
}
