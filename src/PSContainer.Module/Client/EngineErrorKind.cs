namespace PSContainer.Module.Client;

/// <summary>
/// The closed set of failures the client reports. Each has a stable error id (its name) that
/// becomes the ErrorRecord's FullyQualifiedErrorId, so scripts can match on it.
/// </summary>
public enum EngineErrorKind
{
    /// <summary>The engine answered with something the client does not understand.</summary>
    EngineError,
    /// <summary>No engine listens at the endpoint (or it refused the connection).</summary>
    EngineUnavailable,
    ContainerNotFound,
    ImageNotFound,
    VolumeNotFound,
    NetworkNotFound,
    ExecNotFound,
    /// <summary>A path inside a container does not exist (docker cp).</summary>
    PathNotFound,
    /// <summary>A name or tag is already taken.</summary>
    NameConflict,
    /// <summary>The operation needs a running container and it is not.</summary>
    ContainerNotRunning,
    /// <summary>The container runs, so the operation (remove without -Force, ...) is refused.</summary>
    ContainerRunning,
    /// <summary>An image, volume or network is still used.</summary>
    ResourceInUse,
    /// <summary>The engine rejected a parameter (HTTP 400).</summary>
    InvalidArgument,
    /// <summary>A name matched more than one object.</summary>
    AmbiguousName,
    /// <summary>Registry credentials were missing or refused.</summary>
    Unauthorized,
    /// <summary>The engine does not allow the operation (HTTP 403), e.g. removing a predefined network.</summary>
    OperationNotPermitted,
    /// <summary>The engine does not implement this endpoint.</summary>
    NotSupported,
    /// <summary>The engine's API version is older than this client supports.</summary>
    ApiVersionUnsupported,
    /// <summary>A streamed operation (pull, push, load, build) reported an error mid-stream.</summary>
    OperationFailed,
}
