using PSContainer.Engine.Core.Errdefs;
using PSContainer.Interop.Linux;
using PSContainer.ShimApi;

namespace PSContainer.Engine.Errors;

/// <summary>The one place where error kinds become HTTP status codes, and foreign exceptions become kinds.</summary>
public static class ErrorMapping
{
    public static int StatusCode(EngineErrorKind kind) => kind switch
    {
        EngineErrorKind.NotFound => 404,
        EngineErrorKind.Conflict => 409,
        EngineErrorKind.InvalidParameter => 400,
        EngineErrorKind.NotModified => 304,
        EngineErrorKind.Forbidden => 403,
        EngineErrorKind.Unauthorized => 401,
        EngineErrorKind.NotImplemented => 501,
        EngineErrorKind.Unavailable => 503,
        EngineErrorKind.Internal => 500,
        _ => 500,
    };

    /// <summary>The kind and client-facing message of any exception thrown while serving a request.</summary>
    public static (EngineErrorKind Kind, string Message) Classify(Exception exception) => exception switch
    {
        EngineException engine => (engine.Kind, engine.Message),
        CoreException core => (FromCore(core.Kind), core.Message),
        ShimException shim => (FromShim(shim.Code), shim.Message),
        SyscallException sys => (EngineErrorKind.Internal, sys.Message),
        System.Text.Json.JsonException json => (EngineErrorKind.InvalidParameter, $"invalid JSON: {json.Message}"),
        FormatException format => (EngineErrorKind.InvalidParameter, format.Message),
        _ => (EngineErrorKind.Internal, exception.Message),
    };

    public static EngineErrorKind FromCore(CoreErrorKind kind) => kind switch
    {
        CoreErrorKind.NotFound => EngineErrorKind.NotFound,
        CoreErrorKind.AlreadyExists => EngineErrorKind.Conflict,
        CoreErrorKind.Conflict => EngineErrorKind.Conflict,
        CoreErrorKind.FailedPrecondition => EngineErrorKind.Conflict,
        CoreErrorKind.InvalidArgument => EngineErrorKind.InvalidParameter,
        CoreErrorKind.Unavailable => EngineErrorKind.Unavailable,
        CoreErrorKind.NotImplemented => EngineErrorKind.NotImplemented,
        _ => EngineErrorKind.Internal,
    };

    public static EngineErrorKind FromShim(ShimErrorCode code) => code switch
    {
        ShimErrorCode.NotFound => EngineErrorKind.NotFound,
        ShimErrorCode.AlreadyExists => EngineErrorKind.Conflict,
        ShimErrorCode.FailedPrecondition => EngineErrorKind.Conflict,
        ShimErrorCode.InvalidArgument => EngineErrorKind.InvalidParameter,
        _ => EngineErrorKind.Internal,
    };
}
