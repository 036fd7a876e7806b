using System.Management.Automation;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>Shows the engine: versions (and the negotiated API version), endpoint, storage, and counts (docker version + info).</summary>
[Cmdlet(VerbsCommon.Get, "ContainerEngine")]
[OutputType(typeof(ContainerEngineInfo))]
public sealed class GetContainerEngineCommand : PSContainerCmdlet
{
    protected override void ProcessRecord() => Try(Client.Endpoint.ToString(), () =>
    {
        var negotiated = Await(Client.NegotiateAsync(Cancellation));
        var version = Await(Client.VersionAsync(Cancellation));
        var info = Await(Client.InfoAsync(Cancellation));
        WriteObject(ResourceConverter.ToEngineInfo(version, info, Client.Endpoint.ToString(), negotiated));
    });
}
