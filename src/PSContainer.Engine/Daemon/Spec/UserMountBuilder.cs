using PSContainer.Api;
using PSContainer.Engine.Daemon.Volumes;
using PSContainer.Engine.Errors;
using OciMount = PSContainer.Oci.Mount;

namespace PSContainer.Engine.Daemon.Spec;

/// <summary>The user's mounts (-v, --mount, --tmpfs, anonymous and inherited volumes) as OCI mounts.</summary>
public static class UserMountBuilder
{
    /// <summary>
    /// Resolved mount points, in order, as OCI mounts. <paramref name="sourceOf"/> gives a volume's
    /// host directory (a bind's source is its own).
    /// </summary>
    public static List<OciMount> ToOci(IEnumerable<MountPointRecord> points, Func<MountPointRecord, string> sourceOf)
    {
        var result = new List<OciMount>();
        foreach (var point in points)
        {
            switch (point.Type)
            {
                case "bind" or "volume":
                    var options = new List<string>
                    {
                        point.NonRecursive ? "bind" : "rbind",
                        string.IsNullOrEmpty(point.Propagation) ? "rprivate" : point.Propagation,
                    };
                    if (!point.RW)
                    {
                        options.Add("ro");
                    }
                    result.Add(new OciMount { Destination = point.Destination, Type = "bind", Source = sourceOf(point), Options = options });
                    break;
                case "tmpfs":
                    // Docker's defaults first: a later "exec" or "dev" in the user's options wins.
                    var tmpfs = new List<string> { "nosuid", "nodev", "noexec" };
                    tmpfs.AddRange(point.TmpfsOptions ?? []);
                    result.Add(new OciMount { Destination = point.Destination, Type = "tmpfs", Source = "tmpfs", Options = tmpfs });
                    break;
                default:
                    throw EngineException.Internal($"mount on {point.Destination}: unknown type \"{point.Type}\"");
            }
        }
        return result;
    }

    /// <summary>
    /// For callers without a volume service (a spec built from a HostConfig alone): named volumes
    /// through <paramref name="resolveVolume"/>; anonymous volumes cannot be made here.
    /// </summary>
    public static List<OciMount> FromHostConfig(HostConfig host, Func<string, string>? resolveVolume) =>
        ToOci(MountSpecParser.Parse(host).Select(Unresolved), point =>
            point.Type == "volume"
                ? resolveVolume is null || point.Name is null
                    ? throw EngineException.InvalidParameter($"{(point.Name is null ? "an anonymous volume" : $"named volume '{point.Name}'")} cannot be used here")
                    : resolveVolume(point.Name)
                : point.Source);

    /// <summary>A mount request as a mount point whose volume is not looked up (yet).</summary>
    public static MountPointRecord Unresolved(MountRequest request) => new()
    {
        Type = request.Kind switch { MountKind.Bind => "bind", MountKind.Volume => "volume", _ => "tmpfs" },
        Name = request.Kind == MountKind.Volume ? request.Source : null,
        Source = request.Kind == MountKind.Bind ? request.Source ?? "" : "",
        Destination = request.Destination,
        Driver = request.Kind == MountKind.Volume ? request.VolumeDriver ?? "local" : "",
        Mode = request.Mode,
        RW = !request.ReadOnly,
        Propagation = request.Kind == MountKind.Bind ? request.Propagation : "",
        CopyData = request.Kind == MountKind.Volume && !request.NoCopy,
        Named = request.Kind == MountKind.Volume && request.Source is not null,
        CreateHostPath = request.CreateHostPath,
        NonRecursive = request.NonRecursive,
        TmpfsOptions = request.Kind == MountKind.Tmpfs ? [.. request.TmpfsOptions] : null,
        HiddenFromInspect = request.Origin == MountOrigin.Tmpfs,
    };
}
