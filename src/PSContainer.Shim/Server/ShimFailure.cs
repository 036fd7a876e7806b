using PSContainer.ShimApi;

namespace PSContainer.Shim.Server;

/// <summary>A request the shim refuses, with the error code the client gets.</summary>
internal sealed class ShimFailure(ShimErrorCode code, string message) : Exception(message)
{
    public ShimErrorCode Code { get; } = code;

    public static ShimFailure NotFound(string what) => new(ShimErrorCode.NotFound, what);

    public static ShimFailure Precondition(string what) => new(ShimErrorCode.FailedPrecondition, what);

    public static ShimFailure Invalid(string what) => new(ShimErrorCode.InvalidArgument, what);
}
