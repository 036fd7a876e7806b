namespace PSContainer.Oci;

/// <summary>A config.json that cannot be used; the message names the file and the field.</summary>
public sealed class InvalidSpecException(string message) : Exception(message);

/// <summary>
/// Loads config.json and checks what the spec requires of it on Linux, naming the bad field
/// ("process.args must not be empty", "linux.namespaces[2].type: unknown namespace \"foo\"").
/// Checks that need the machine (capability names the kernel knows, cgroup paths) are the runtime's.
/// </summary>
public static class SpecValidator
{
    public static readonly IReadOnlySet<string> NamespaceTypes =
        new HashSet<string>(StringComparer.Ordinal) { "pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time" };

    /// <summary>Reads and validates <paramref name="path"/>; every failure is an <see cref="InvalidSpecException"/>.</summary>
    public static Spec Load(string path)
    {
        var name = Path.GetFileName(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InvalidSpecException($"{name}: no such file: {path}");
        }
        catch (IOException e)
        {
            throw new InvalidSpecException($"{name}: cannot read {path}: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new InvalidSpecException($"{name}: cannot read {path}: {e.Message}");
        }
        return Parse(bytes, name);
    }

    public static Spec Parse(ReadOnlySpan<byte> json, string name = "config.json") => Check(SpecReader.Read(json.ToArray(), name), name);

    /// <summary>Validates an already read spec; the first problem is an <see cref="InvalidSpecException"/>.</summary>
    public static Spec Check(Spec spec, string name = "config.json")
    {
        var errors = Validate(spec);
        if (errors.Count > 0)
        {
            throw new InvalidSpecException($"{name}: {errors[0]}");
        }
        return spec;
    }

    /// <summary>Every problem found, each "field: what is wrong"; empty when the spec is usable.</summary>
    public static List<string> Validate(Spec spec)
    {
        var errors = new List<string>();
        if (string.IsNullOrEmpty(spec.OciVersion))
        {
            errors.Add("ociVersion must be set");
        }
        if (spec.Root is null || string.IsNullOrEmpty(spec.Root.Path))
        {
            errors.Add("root.path must be set");
        }
        if (spec.Process is null)
        {
            errors.Add("process must be set");
        }
        else
        {
            ValidateProcess(spec.Process, "process", errors);
        }
        for (var i = 0; spec.Mounts is not null && i < spec.Mounts.Count; i++)
        {
            var m = spec.Mounts[i];
            if (!m.Destination.StartsWith('/'))
            {
                errors.Add($"mounts[{i}].destination: must be an absolute path, got \"{m.Destination}\"");
            }
        }
        ValidateHooks(spec.Hooks, errors);
        if (spec.Linux is { } linux)
        {
            ValidateLinux(spec, linux, errors);
        }
        return errors;
    }

    public static void ValidateProcess(OciProcess process, string field, List<string> errors)
    {
        if (process.Args is null || process.Args.Count == 0 || string.IsNullOrEmpty(process.Args[0]))
        {
            errors.Add($"{field}.args must not be empty");
        }
        if (process.CommandLine is not null)
        {
            errors.Add($"{field}.commandLine is Windows-only");
        }
        if (!process.Cwd.StartsWith('/'))
        {
            errors.Add($"{field}.cwd: must be an absolute path, got \"{process.Cwd}\"");
        }
        for (var i = 0; process.Env is not null && i < process.Env.Count; i++)
        {
            if (!process.Env[i].Contains('=', StringComparison.Ordinal) || process.Env[i].StartsWith('='))
            {
                errors.Add($"{field}.env[{i}]: \"{process.Env[i]}\" is not KEY=value");
            }
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; process.Rlimits is not null && i < process.Rlimits.Count; i++)
        {
            var r = process.Rlimits[i];
            if (!seen.Add(r.Type))
            {
                errors.Add($"{field}.rlimits[{i}].type: duplicate \"{r.Type}\"");
            }
            if (r.Soft > r.Hard)
            {
                errors.Add($"{field}.rlimits[{i}]: soft {r.Soft} is above hard {r.Hard}");
            }
        }
        if (process.ConsoleSize is not null && process.Terminal != true)
        {
            errors.Add($"{field}.consoleSize is set but {field}.terminal is not true");
        }
    }

    private static void ValidateHooks(Hooks? hooks, List<string> errors)
    {
        if (hooks is null)
        {
            return;
        }
        void Check(List<Hook>? list, string name)
        {
            for (var i = 0; list is not null && i < list.Count; i++)
            {
                if (!list[i].Path.StartsWith('/'))
                {
                    errors.Add($"hooks.{name}[{i}].path: must be absolute, got \"{list[i].Path}\"");
                }
                if (list[i].Timeout is <= 0)
                {
                    errors.Add($"hooks.{name}[{i}].timeout: must be positive");
                }
            }
        }
        Check(hooks.Prestart, "prestart");
        Check(hooks.CreateRuntime, "createRuntime");
        Check(hooks.CreateContainer, "createContainer");
        Check(hooks.StartContainer, "startContainer");
        Check(hooks.Poststart, "poststart");
        Check(hooks.Poststop, "poststop");
    }

    private static void ValidateLinux(Spec spec, Linux linux, List<string> errors)
    {
        var types = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; linux.Namespaces is not null && i < linux.Namespaces.Count; i++)
        {
            var ns = linux.Namespaces[i];
            if (!NamespaceTypes.Contains(ns.Type))
            {
                errors.Add($"linux.namespaces[{i}].type: unknown namespace \"{ns.Type}\"");
            }
            else if (!types.Add(ns.Type))
            {
                errors.Add($"linux.namespaces[{i}].type: \"{ns.Type}\" is listed twice");
            }
            if (ns.Path is { Length: > 0 } p && !p.StartsWith('/'))
            {
                errors.Add($"linux.namespaces[{i}].path: must be absolute, got \"{p}\"");
            }
        }
        var newUser = linux.Namespaces?.Any(n => n.Type == "user" && string.IsNullOrEmpty(n.Path)) == true;
        var hasMaps = linux.UidMappings is { Count: > 0 } || linux.GidMappings is { Count: > 0 };
        if (newUser && (linux.UidMappings is not { Count: > 0 } || linux.GidMappings is not { Count: > 0 }))
        {
            errors.Add("linux.uidMappings and linux.gidMappings are required with a new user namespace");
        }
        if (hasMaps && !newUser)
        {
            errors.Add("linux.uidMappings/gidMappings are set but no new user namespace is requested");
        }
        if (linux.TimeOffsets is { Count: > 0 } && !types.Contains("time"))
        {
            errors.Add("linux.timeOffsets is set but no time namespace is requested");
        }
        foreach (var key in linux.TimeOffsets?.Keys ?? Enumerable.Empty<string>())
        {
            if (key is not "monotonic" and not "boottime")
            {
                errors.Add($"linux.timeOffsets.{key}: unknown clock (monotonic or boottime)");
            }
        }
        if (spec.Hostname is { Length: > 0 } && !types.Contains("uts"))
        {
            errors.Add("hostname is set but no uts namespace is requested");
        }
        if (spec.Domainname is { Length: > 0 } && !types.Contains("uts"))
        {
            errors.Add("domainname is set but no uts namespace is requested");
        }
        for (var i = 0; linux.Devices is not null && i < linux.Devices.Count; i++)
        {
            var d = linux.Devices[i];
            if (!d.Path.StartsWith("/dev/", StringComparison.Ordinal))
            {
                errors.Add($"linux.devices[{i}].path: must be under /dev, got \"{d.Path}\"");
            }
            if (d.Type is not ("c" or "u" or "b" or "p"))
            {
                errors.Add($"linux.devices[{i}].type: unknown device type \"{d.Type}\" (c, u, b or p)");
            }
        }
        if (linux.RootfsPropagation is { Length: > 0 } prop &&
            prop is not ("shared" or "slave" or "private" or "unbindable" or "rshared" or "rslave" or "rprivate" or "runbindable"))
        {
            errors.Add($"linux.rootfsPropagation: unknown propagation \"{prop}\"");
        }
        if (linux.Personality is { } pers && pers.Domain is not ("LINUX" or "LINUX32"))
        {
            errors.Add($"linux.personality.domain: unknown domain \"{pers.Domain}\" (LINUX or LINUX32)");
        }
        ValidatePaths(linux.MaskedPaths, "linux.maskedPaths", errors);
        ValidatePaths(linux.ReadonlyPaths, "linux.readonlyPaths", errors);
    }

    private static void ValidatePaths(List<string>? paths, string field, List<string> errors)
    {
        for (var i = 0; paths is not null && i < paths.Count; i++)
        {
            if (!paths[i].StartsWith('/'))
            {
                errors.Add($"{field}[{i}]: must be an absolute path, got \"{paths[i]}\"");
            }
        }
    }

}
