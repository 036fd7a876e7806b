namespace PSContainer.Engine.Core.Errdefs;

/// <summary>
/// The closed set of failure kinds of the core services (containerd's errdefs). The daemon maps
/// each kind to one HTTP status in one table (NotFound → 404, AlreadyExists/Conflict → 409,
/// InvalidArgument → 400, FailedPrecondition → 409/400, Unavailable → 503, NotImplemented → 501).
/// </summary>
public enum CoreErrorKind
{
    NotFound,
    AlreadyExists,
    InvalidArgument,
    FailedPrecondition,
    Conflict,
    Unavailable,
    NotImplemented,
    DataCorrupted,
}

/// <summary>A core-service failure with a kind the daemon can map and a message naming the subject.</summary>
public class CoreException : Exception
{
    public CoreException(CoreErrorKind kind, string message, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
    }

    public CoreErrorKind Kind { get; }

    public static CoreException NotFound(string message) => new(CoreErrorKind.NotFound, message);

    public static CoreException AlreadyExists(string message) => new(CoreErrorKind.AlreadyExists, message);

    public static CoreException InvalidArgument(string message, Exception? inner = null) =>
        new(CoreErrorKind.InvalidArgument, message, inner);

    public static CoreException FailedPrecondition(string message) => new(CoreErrorKind.FailedPrecondition, message);

    public static CoreException Conflict(string message) => new(CoreErrorKind.Conflict, message);

    public static CoreException Unavailable(string message) => new(CoreErrorKind.Unavailable, message);

    public static CoreException NotImplemented(string message) => new(CoreErrorKind.NotImplemented, message);

    public static CoreException DataCorrupted(string message) => new(CoreErrorKind.DataCorrupted, message);
}
