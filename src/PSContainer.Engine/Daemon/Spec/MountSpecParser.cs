using System.Globalization;
using PSContainer.Api;
using PSContainer.Engine.Core.Volumes;
using PSContainer.Engine.Errors;
using ApiMount = PSContainer.Api.Mount;

namespace PSContainer.Engine.Daemon.Spec;

/// <summary>What a mount is in the end: a host directory, a volume, or a tmpfs.</summary>
public enum MountKind
{
    Bind,
    Volume,
    Tmpfs,
}

/// <summary>Where a mount request came from; it decides defaults and how inspect shows it.</summary>
public enum MountOrigin
{
    /// <summary>-v / HostConfig.Binds.</summary>
    Binds,
    /// <summary>--mount / HostConfig.Mounts.</summary>
    Mounts,
    /// <summary>--tmpfs / HostConfig.Tmpfs (not listed in inspect's Mounts, as in Docker).</summary>
    Tmpfs,
}

/// <summary>One parsed, validated mount request, before volumes are looked up or created.</summary>
public sealed record MountRequest
{
    public required MountKind Kind { get; init; }
    public required MountOrigin Origin { get; init; }
    public required string Destination { get; init; }

    /// <summary>Host path for binds; volume name for volumes (null: anonymous); null for tmpfs.</summary>
    public string? Source { get; init; }

    public bool ReadOnly { get; init; }

    /// <summary>Mode as written after the second colon of a -v ("ro,rshared"); "" otherwise.</summary>
    public string Mode { get; init; } = "";

    /// <summary>Bind propagation (rprivate unless given).</summary>
    public string Propagation { get; init; } = "rprivate";

    public bool NonRecursive { get; init; }

    /// <summary>volume-nocopy / "nocopy": never copy the image's content into the volume.</summary>
    public bool NoCopy { get; init; }

    /// <summary>-v creates a missing host directory; --mount refuses it.</summary>
    public bool CreateHostPath { get; init; }

    public string? VolumeDriver { get; init; }
    public IReadOnlyDictionary<string, string>? DriverOptions { get; init; }
    public IReadOnlyDictionary<string, string>? VolumeLabels { get; init; }

    /// <summary>tmpfs mount data (size=…, mode=…, ro, exec…), in order.</summary>
    public IReadOnlyList<string> TmpfsOptions { get; init; } = [];
}

/// <summary>
/// Parses HostConfig.Binds (-v), HostConfig.Mounts (--mount) and HostConfig.Tmpfs (--tmpfs) into
/// <see cref="MountRequest"/>s with Docker's rules and Docker's error messages; pure (no file
/// system access), so every form and error is unit-tested. Duplicate destinations are refused.
/// </summary>
public static class MountSpecParser
{
    private static readonly string[] Propagations = ["shared", "rshared", "slave", "rslave", "private", "rprivate"];

    public static List<MountRequest> Parse(HostConfig host)
    {
        var result = new List<MountRequest>();
        var destinations = new HashSet<string>(StringComparer.Ordinal);
        void Add(MountRequest request)
        {
            if (!destinations.Add(CleanPath(request.Destination)))
            {
                throw EngineException.InvalidParameter($"Duplicate mount point: {request.Destination}");
            }
            result.Add(request);
        }
        foreach (var bind in host.Binds ?? [])
        {
            Add(ParseBind(bind, host.VolumeDriver));
        }
        foreach (var mount in host.Mounts ?? [])
        {
            Add(ParseMount(mount));
        }
        foreach (var (target, options) in host.Tmpfs ?? [])
        {
            Add(ParseTmpfs(target, options));
        }
        return result;
    }

    /// <summary>
    /// "/dest" (anonymous volume), "src:/dest" or "src:/dest:mode", where src is an absolute host
    /// path (a bind) or a volume name, and mode is a comma list of ro|rw, a propagation, z|Z,
    /// nocopy|copy — each at most once.
    /// </summary>
    public static MountRequest ParseBind(string spec, string? volumeDriver = null)
    {
        var parts = spec.Split(':');
        string? source;
        string destination;
        var mode = "";
        switch (parts.Length)
        {
            case 1:
                source = null;
                destination = parts[0];
                break;
            case 2:
                if (IsValidMode(parts[1]))
                {
                    // "/foo:rw": a destination with a mode but no source is not a volume specification.
                    throw InvalidSpec(spec);
                }
                (source, destination) = (parts[0], parts[1]);
                break;
            case 3:
                (source, destination, mode) = (parts[0], parts[1], parts[2]);
                break;
            default:
                throw InvalidSpec(spec);
        }
        if (destination.Length == 0 || source is { Length: 0 })
        {
            throw InvalidSpec(spec);
        }
        if (!destination.StartsWith('/'))
        {
            throw EngineException.InvalidParameter($"invalid volume specification: '{spec}': invalid mount config for type \"{(source?.StartsWith('/') == true ? "bind" : "volume")}\": invalid mount path: '{destination}' mount path must be absolute");
        }
        if (CleanPath(destination) == "/")
        {
            throw EngineException.InvalidParameter($"invalid volume specification: '{spec}': invalid specification: destination can't be '/'");
        }
        if (!IsValidMode(mode))
        {
            throw EngineException.InvalidParameter($"invalid mode: {mode} in volume specification '{spec}'");
        }
        var words = mode.Split(',', StringSplitOptions.RemoveEmptyEntries);
        var readOnly = words.Contains("ro");
        var propagation = words.FirstOrDefault(Propagations.Contains);
        var noCopy = words.Contains("nocopy");
        if (source is not null && source.StartsWith('/'))
        {
            if (noCopy || words.Contains("copy"))
            {
                throw EngineException.InvalidParameter($"invalid mode: {mode} in volume specification '{spec}': nocopy applies to volumes only");
            }
            return new MountRequest
            {
                Kind = MountKind.Bind,
                Origin = MountOrigin.Binds,
                Source = CleanPath(source),
                Destination = destination,
                ReadOnly = readOnly,
                Mode = mode,
                Propagation = propagation ?? "rprivate",
                CreateHostPath = true,
            };
        }
        if (propagation is not null)
        {
            throw EngineException.InvalidParameter($"invalid mode: {mode} in volume specification '{spec}': propagation applies to bind mounts only");
        }
        if (source is not null)
        {
            ValidateName(source, spec);
        }
        return new MountRequest
        {
            Kind = MountKind.Volume,
            Origin = MountOrigin.Binds,
            Source = source,
            Destination = destination,
            ReadOnly = readOnly,
            Mode = mode,
            Propagation = "",
            NoCopy = noCopy,
            VolumeDriver = string.IsNullOrEmpty(volumeDriver) ? null : volumeDriver,
        };
    }

    /// <summary>An API mount (--mount type=bind|volume|tmpfs,...), checked like Docker's validateMountConfig.</summary>
    public static MountRequest ParseMount(ApiMount mount)
    {
        var type = mount.Type ?? "";
        EngineException Invalid(string why) => EngineException.InvalidParameter($"invalid mount config for type \"{type}\": {why}");
        if (string.IsNullOrEmpty(mount.Target))
        {
            throw Invalid("field Target must not be empty");
        }
        var target = mount.Target;
        if (!target.StartsWith('/'))
        {
            throw Invalid($"invalid mount path: '{target}' mount path must be absolute");
        }
        if (CleanPath(target) == "/")
        {
            throw Invalid("invalid specification: destination can't be '/'");
        }
        switch (type)
        {
            case "bind":
                if (string.IsNullOrEmpty(mount.Source))
                {
                    throw Invalid("field Source must not be empty");
                }
                if (!mount.Source.StartsWith('/'))
                {
                    throw Invalid($"invalid mount path: '{mount.Source}' mount path must be absolute");
                }
                if (mount.VolumeOptions is not null)
                {
                    throw Invalid("field VolumeOptions must not be specified");
                }
                if (mount.TmpfsOptions is not null)
                {
                    throw Invalid("field TmpfsOptions must not be specified");
                }
                var propagation = string.IsNullOrEmpty(mount.BindOptions?.Propagation) ? "rprivate" : mount.BindOptions.Propagation;
                if (!Propagations.Contains(propagation))
                {
                    throw Invalid($"invalid propagation mode: {propagation}");
                }
                return new MountRequest
                {
                    Kind = MountKind.Bind,
                    Origin = MountOrigin.Mounts,
                    Source = CleanPath(mount.Source),
                    Destination = target,
                    ReadOnly = mount.ReadOnly,
                    Propagation = propagation,
                    NonRecursive = mount.BindOptions?.NonRecursive == true,
                    CreateHostPath = mount.BindOptions?.CreateMountpoint == true,
                };
            case "volume":
                if (mount.BindOptions is not null)
                {
                    throw Invalid("field BindOptions must not be specified");
                }
                if (mount.TmpfsOptions is not null)
                {
                    throw Invalid("field TmpfsOptions must not be specified");
                }
                if (!string.IsNullOrEmpty(mount.Source))
                {
                    if (mount.Source.StartsWith('/'))
                    {
                        throw Invalid($"invalid volume name: '{mount.Source}' is a path; use type=bind for host directories");
                    }
                    ValidateName(mount.Source, null);
                }
                if (!string.IsNullOrEmpty(mount.VolumeOptions?.Subpath))
                {
                    throw Invalid("volume subpath is not supported by this engine");
                }
                return new MountRequest
                {
                    Kind = MountKind.Volume,
                    Origin = MountOrigin.Mounts,
                    Source = string.IsNullOrEmpty(mount.Source) ? null : mount.Source,
                    Destination = target,
                    ReadOnly = mount.ReadOnly,
                    Propagation = "",
                    NoCopy = mount.VolumeOptions?.NoCopy == true,
                    VolumeDriver = string.IsNullOrEmpty(mount.VolumeOptions?.DriverConfig?.Name) ? null : mount.VolumeOptions.DriverConfig.Name,
                    DriverOptions = mount.VolumeOptions?.DriverConfig?.Options,
                    VolumeLabels = mount.VolumeOptions?.Labels,
                };
            case "tmpfs":
                if (!string.IsNullOrEmpty(mount.Source))
                {
                    throw Invalid("field Source must not be specified");
                }
                if (mount.BindOptions is not null)
                {
                    throw Invalid("field BindOptions must not be specified");
                }
                if (mount.VolumeOptions is not null)
                {
                    throw Invalid("field VolumeOptions must not be specified");
                }
                var options = new List<string>();
                if (mount.TmpfsOptions is { } tmpfs)
                {
                    if (tmpfs.SizeBytes < 0)
                    {
                        throw Invalid($"invalid tmpfs size: {tmpfs.SizeBytes}");
                    }
                    if (tmpfs.SizeBytes > 0)
                    {
                        options.Add("size=" + tmpfs.SizeBytes.ToString(CultureInfo.InvariantCulture));
                    }
                    if (tmpfs.Mode != 0)
                    {
                        if (tmpfs.Mode > 0xFFF)
                        {
                            throw Invalid($"invalid tmpfs mode: {Convert.ToString(tmpfs.Mode, 8)}");
                        }
                        options.Add("mode=" + Convert.ToString(tmpfs.Mode, 8));
                    }
                    foreach (var option in tmpfs.Options ?? [])
                    {
                        options.Add(option.Count switch
                        {
                            1 => option[0],
                            2 => option[0] + "=" + option[1],
                            _ => throw Invalid("tmpfs options must be [name] or [name, value] pairs"),
                        });
                    }
                }
                if (mount.ReadOnly)
                {
                    options.Add("ro");
                }
                return new MountRequest
                {
                    Kind = MountKind.Tmpfs,
                    Origin = MountOrigin.Mounts,
                    Destination = target,
                    ReadOnly = mount.ReadOnly,
                    Propagation = "",
                    TmpfsOptions = options,
                };
            case "":
                throw EngineException.InvalidParameter("invalid mount config: mount type must not be empty");
            default:
                throw EngineException.InvalidParameter($"invalid mount config: mount type \"{type}\" is not supported (bind, volume or tmpfs)");
        }
    }

    /// <summary>--tmpfs /path:opts (HostConfig.Tmpfs): options as mount(8) words.</summary>
    public static MountRequest ParseTmpfs(string target, string? options)
    {
        if (!target.StartsWith('/'))
        {
            throw EngineException.InvalidParameter($"invalid tmpfs destination: \"{target}\" is not an absolute path");
        }
        if (CleanPath(target) == "/")
        {
            throw EngineException.InvalidParameter("invalid tmpfs destination: destination can't be '/'");
        }
        var words = (options ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        return new MountRequest
        {
            Kind = MountKind.Tmpfs,
            Origin = MountOrigin.Tmpfs,
            Destination = target,
            ReadOnly = words.Contains("ro"),
            Propagation = "",
            TmpfsOptions = words,
        };
    }

    /// <summary>"/a//b/" → "/a/b" (Docker compares destinations cleaned).</summary>
    public static string CleanPath(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToList();
        return "/" + string.Join('/', parts);
    }

    private static bool IsValidMode(string mode)
    {
        if (mode.Length == 0)
        {
            return true;
        }
        int rw = 0, propagation = 0, label = 0, copy = 0;
        foreach (var word in mode.Split(','))
        {
            switch (word)
            {
                case "ro" or "rw": rw++; break;
                case "z" or "Z": label++; break;
                case "nocopy" or "copy": copy++; break;
                case var p when Propagations.Contains(p): propagation++; break;
                default: return false;
            }
        }
        return rw <= 1 && propagation <= 1 && label <= 1 && copy <= 1;
    }

    private static void ValidateName(string name, string? spec)
    {
        if (!VolumeNames.IsValid(name))
        {
            throw EngineException.InvalidParameter(
                $"{(spec is null ? "" : $"invalid volume specification: '{spec}': ")}\"{name}\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path");
        }
    }

    private static EngineException InvalidSpec(string spec) =>
        EngineException.InvalidParameter($"invalid volume specification: '{spec}'");
}
