using System.Text.Json.Serialization;

namespace PSContainer.ShimApi;

/// <summary>The closed set of errors a shim returns; the engine maps them to its own error kinds.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ShimErrorCode>))]
public enum ShimErrorCode
{
    /// <summary>No such container or exec process in this shim.</summary>
    NotFound,
    /// <summary>The container is already created, or an exec id is taken.</summary>
    AlreadyExists,
    /// <summary>The request does not fit the current state (start before create, delete while running...).</summary>
    FailedPrecondition,
    /// <summary>The request itself is malformed (unknown signal, bad JSON, wrong container id...).</summary>
    InvalidArgument,
    /// <summary>The OCI runtime failed; <see cref="ShimError.RuntimeMessage"/> holds what it said.</summary>
    RuntimeError,
    /// <summary>The client and the shim speak different protocol versions.</summary>
    VersionMismatch,
    /// <summary>Anything else: a bug or an I/O failure inside the shim.</summary>
    Internal,
}

/// <summary>The error half of a response.</summary>
public sealed record ShimError(ShimErrorCode Code, string Message, string? RuntimeMessage = null);

/// <summary>A request the shim answered with an error (thrown by <see cref="ShimClient"/>).</summary>
public sealed class ShimException(ShimError error) : Exception(error.RuntimeMessage is null ? error.Message : $"{error.Message}: {error.RuntimeMessage}")
{
    public ShimError Error { get; } = error;
    public ShimErrorCode Code => Error.Code;
}
