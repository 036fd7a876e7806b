using System.Net;

namespace PSContainer.Module.Client;

/// <summary>
/// The one table that turns an engine's HTTP status and <c>{"message": ...}</c> body into an
/// <see cref="EngineErrorKind"/>. Docker's status codes carry most of the meaning; for 409 the
/// message tells a name conflict from a running container or a resource in use.
/// </summary>
public static class EngineErrorMapper
{
    public static EngineErrorKind Map(HttpStatusCode status, string message, EngineResource resource)
    {
        message ??= "";
        return status switch
        {
            HttpStatusCode.NotFound => NotFound(message, resource),
            HttpStatusCode.Conflict => Conflict(message),
            HttpStatusCode.BadRequest => InvalidArgument(message),
            HttpStatusCode.Unauthorized => EngineErrorKind.Unauthorized,
            HttpStatusCode.Forbidden => Forbidden(message),
            HttpStatusCode.NotImplemented => EngineErrorKind.NotSupported,
            _ when Contains(message, "is not running") => EngineErrorKind.ContainerNotRunning,
            _ => EngineErrorKind.EngineError,
        };
    }

    public static EngineException ToException(HttpStatusCode status, string message, EngineResource resource, string? target)
    {
        var kind = Map(status, message, resource);
        var text = string.IsNullOrWhiteSpace(message)
            ? $"The engine answered {(int)status} {status}{(target is null ? "" : " for '" + target + "'")}."
            : message.Trim();
        return new EngineException(kind, text, status);
    }

    private static EngineErrorKind NotFound(string message, EngineResource resource)
    {
        // The message names the missing thing more precisely than the route does: creating a
        // container from a missing image answers 404 "No such image" on a container route.
        if (Contains(message, "no such image") || Contains(message, "image not known") || Contains(message, "reference does not exist"))
        {
            return EngineErrorKind.ImageNotFound;
        }
        // docker cp of a missing path: a 404 on a container route that is not about the container.
        if (Contains(message, "could not find the file") || Contains(message, "no such file or directory"))
        {
            return EngineErrorKind.PathNotFound;
        }
        if (Contains(message, "no such container"))
        {
            return EngineErrorKind.ContainerNotFound;
        }
        if (Contains(message, "no such volume") || Contains(message, "volume not found"))
        {
            return EngineErrorKind.VolumeNotFound;
        }
        if (Contains(message, "network") && Contains(message, "not found"))
        {
            return EngineErrorKind.NetworkNotFound;
        }
        if (Contains(message, "no such exec"))
        {
            return EngineErrorKind.ExecNotFound;
        }
        if (Contains(message, "page not found"))
        {
            return EngineErrorKind.NotSupported;
        }
        return resource switch
        {
            EngineResource.Container => EngineErrorKind.ContainerNotFound,
            EngineResource.Image => EngineErrorKind.ImageNotFound,
            EngineResource.Volume => EngineErrorKind.VolumeNotFound,
            EngineResource.Network => EngineErrorKind.NetworkNotFound,
            EngineResource.Exec => EngineErrorKind.ExecNotFound,
            _ => EngineErrorKind.NotSupported,
        };
    }

    private static EngineErrorKind Conflict(string message)
    {
        if (Contains(message, "is not running") || Contains(message, "is paused") && Contains(message, "unpause"))
        {
            return EngineErrorKind.ContainerNotRunning;
        }
        if (Contains(message, "running container") || Contains(message, "stop the container") || Contains(message, "is running"))
        {
            return EngineErrorKind.ContainerRunning;
        }
        if (Contains(message, "in use by") || Contains(message, "is in use") || Contains(message, "is being used") || Contains(message, "has active endpoints")
            || Contains(message, "image is referenced") || Contains(message, "must be forced"))
        {
            return Contains(message, "already in use") ? EngineErrorKind.NameConflict : EngineErrorKind.ResourceInUse;
        }
        return EngineErrorKind.NameConflict;
    }

    /// <summary>
    /// dockerd answers 403 for a network with active endpoints and for predefined networks; a
    /// registry's "denied" arrives as 403 too.
    /// </summary>
    private static EngineErrorKind Forbidden(string message)
    {
        if (Contains(message, "active endpoints") || Contains(message, "in use"))
        {
            return EngineErrorKind.ResourceInUse;
        }
        return Contains(message, "denied") || Contains(message, "unauthorized") || Contains(message, "authentication")
            ? EngineErrorKind.Unauthorized
            : EngineErrorKind.OperationNotPermitted;
    }

    private static EngineErrorKind InvalidArgument(string message) =>
        Contains(message, "is not running") ? EngineErrorKind.ContainerNotRunning : EngineErrorKind.InvalidArgument;

    private static bool Contains(string message, string part) => message.Contains(part, StringComparison.OrdinalIgnoreCase);
}
