namespace PSContainer.Engine.Errors;

/// <summary>
/// The closed set of failure kinds the engine reports to clients. Every layer below the API
/// throws <see cref="EngineException"/> (or a core/shim exception that <see cref="ErrorMapping"/>
/// translates); <see cref="ErrorMapping.StatusCode"/> is the one table that turns a kind into HTTP.
/// </summary>
public enum EngineErrorKind
{
    /// <summary>No such container, image, exec instance, volume or network (404).</summary>
    NotFound,
    /// <summary>A name in use, an image in use, a container that is running when it must not be (409).</summary>
    Conflict,
    /// <summary>A malformed or contradictory request (400).</summary>
    InvalidParameter,
    /// <summary>The request asks for the state that already holds: start a running container (304).</summary>
    NotModified,
    /// <summary>The operation is not allowed in the current state of the system (403).</summary>
    Forbidden,
    /// <summary>A registry refused the credentials given for a login (401, as dockerd answers POST /auth).</summary>
    Unauthorized,
    /// <summary>An endpoint or option this engine does not implement (501).</summary>
    NotImplemented,
    /// <summary>A dependency (shim, runtime, storage) is not reachable (503).</summary>
    Unavailable,
    /// <summary>Anything else: a bug or an unexpected system failure (500).</summary>
    Internal,
}

/// <summary>A failure with a kind and a Docker-like message ("No such container: x").</summary>
public sealed class EngineException : Exception
{
    public EngineException(EngineErrorKind kind, string message, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
    }

    public EngineErrorKind Kind { get; }

    public static EngineException NoSuchContainer(string idOrName) =>
        new(EngineErrorKind.NotFound, $"No such container: {idOrName}");

    public static EngineException NoSuchImage(string reference) =>
        new(EngineErrorKind.NotFound, $"No such image: {reference}");

    public static EngineException NoSuchExec(string id) =>
        new(EngineErrorKind.NotFound, $"No such exec instance: {id}");

    public static EngineException NotFound(string message) => new(EngineErrorKind.NotFound, message);

    public static EngineException Conflict(string message) => new(EngineErrorKind.Conflict, message);

    public static EngineException InvalidParameter(string message, Exception? inner = null) =>
        new(EngineErrorKind.InvalidParameter, message, inner);

    public static EngineException NotModified(string message) => new(EngineErrorKind.NotModified, message);

    public static EngineException NotImplemented(string message) => new(EngineErrorKind.NotImplemented, message);

    public static EngineException Unavailable(string message, Exception? inner = null) =>
        new(EngineErrorKind.Unavailable, message, inner);

    public static EngineException Internal(string message, Exception? inner = null) =>
        new(EngineErrorKind.Internal, message, inner);
}
