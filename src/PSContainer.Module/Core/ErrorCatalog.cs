using PSContainer.Module.Client;

namespace PSContainer.Module.Core;

/// <summary>
/// The error mapping table: each stable error id, the ErrorCategory it belongs to (by the name
/// of the System.Management.Automation.ErrorCategory member, so this file needs no PowerShell
/// types; a contract test checks every name exists), and whether it stops the whole pipeline.
/// </summary>
public static class ErrorCatalog
{
    public sealed record Entry(string ErrorId, string Category, bool Terminating);

    public static Entry For(EngineErrorKind kind) => kind switch
    {
        EngineErrorKind.EngineUnavailable => new("EngineUnavailable", "ConnectionError", true),
        EngineErrorKind.ApiVersionUnsupported => new("ApiVersionUnsupported", "NotImplemented", true),
        EngineErrorKind.ContainerNotFound => new("ContainerNotFound", "ObjectNotFound", false),
        EngineErrorKind.ImageNotFound => new("ImageNotFound", "ObjectNotFound", false),
        EngineErrorKind.VolumeNotFound => new("VolumeNotFound", "ObjectNotFound", false),
        EngineErrorKind.NetworkNotFound => new("NetworkNotFound", "ObjectNotFound", false),
        EngineErrorKind.ExecNotFound => new("ExecNotFound", "ObjectNotFound", false),
        EngineErrorKind.PathNotFound => new("PathNotFound", "ObjectNotFound", false),
        EngineErrorKind.NameConflict => new("NameConflict", "ResourceExists", false),
        EngineErrorKind.ContainerNotRunning => new("ContainerNotRunning", "InvalidOperation", false),
        EngineErrorKind.ContainerRunning => new("ContainerRunning", "ResourceBusy", false),
        EngineErrorKind.ResourceInUse => new("ResourceInUse", "ResourceBusy", false),
        EngineErrorKind.InvalidArgument => new("InvalidArgument", "InvalidArgument", false),
        EngineErrorKind.AmbiguousName => new("AmbiguousName", "InvalidArgument", false),
        EngineErrorKind.Unauthorized => new("Unauthorized", "AuthenticationError", false),
        EngineErrorKind.OperationNotPermitted => new("OperationNotPermitted", "PermissionDenied", false),
        EngineErrorKind.NotSupported => new("NotSupported", "NotImplemented", false),
        EngineErrorKind.OperationFailed => new("OperationFailed", "InvalidResult", false),
        EngineErrorKind.EngineError => new("EngineError", "NotSpecified", false),
        _ => new(kind.ToString(), "NotSpecified", false),
    };

    /// <summary>Errors raised by the module itself before anything reaches the engine.</summary>
    public static Entry ForArgument() => new("InvalidArgument", "InvalidArgument", false);
}
