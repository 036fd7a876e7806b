namespace PSContainer.Runc.Container;

/// <summary>
/// mount(8)-style options of one OCI mount split into what mount(2) needs: flags to set, the
/// propagation to apply afterwards, and the leftover filesystem data ("mode=755,size=65536k").
/// </summary>
public sealed record MountOptions(ulong Flags, ulong Propagation, string Data, bool Recursive)
{
    public const ulong MS_RDONLY = 0x1, MS_NOSUID = 0x2, MS_NODEV = 0x4, MS_NOEXEC = 0x8, MS_SYNCHRONOUS = 0x10,
        MS_REMOUNT = 0x20, MS_MANDLOCK = 0x40, MS_DIRSYNC = 0x80, MS_NOSYMFOLLOW = 0x100, MS_NOATIME = 0x400,
        MS_NODIRATIME = 0x800, MS_BIND = 0x1000, MS_MOVE = 0x2000, MS_REC = 0x4000, MS_SILENT = 0x8000,
        MS_UNBINDABLE = 1 << 17, MS_PRIVATE = 1 << 18, MS_SLAVE = 1 << 19, MS_SHARED = 1 << 20,
        MS_RELATIME = 1 << 21, MS_I_VERSION = 1 << 23, MS_STRICTATIME = 1 << 24, MS_LAZYTIME = 1 << 25;

    /// <summary>Flags that only a remount can apply to a bind mount (mount(2): MS_BIND ignores them).</summary>
    public const ulong BindRemountable = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_SYNCHRONOUS |
        MS_DIRSYNC | MS_NOSYMFOLLOW | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME | MS_MANDLOCK;

    private static readonly Dictionary<string, FlagEffect> FlagTable = new(StringComparer.Ordinal)
    {
        ["async"] = new(true, MS_SYNCHRONOUS), ["atime"] = new(true, MS_NOATIME), ["bind"] = new(false, MS_BIND),
        ["defaults"] = new(false, 0), ["dev"] = new(true, MS_NODEV), ["diratime"] = new(true, MS_NODIRATIME),
        ["dirsync"] = new(false, MS_DIRSYNC), ["exec"] = new(true, MS_NOEXEC), ["iversion"] = new(false, MS_I_VERSION),
        ["lazytime"] = new(false, MS_LAZYTIME), ["loud"] = new(true, MS_SILENT), ["mand"] = new(false, MS_MANDLOCK),
        ["noatime"] = new(false, MS_NOATIME), ["nodev"] = new(false, MS_NODEV), ["nodiratime"] = new(false, MS_NODIRATIME),
        ["noexec"] = new(false, MS_NOEXEC), ["noiversion"] = new(true, MS_I_VERSION), ["nolazytime"] = new(true, MS_LAZYTIME),
        ["nomand"] = new(true, MS_MANDLOCK), ["norelatime"] = new(true, MS_RELATIME), ["nostrictatime"] = new(true, MS_STRICTATIME),
        ["nosuid"] = new(false, MS_NOSUID), ["nosymfollow"] = new(false, MS_NOSYMFOLLOW), ["rbind"] = new(false, MS_BIND | MS_REC),
        ["relatime"] = new(false, MS_RELATIME), ["remount"] = new(false, MS_REMOUNT), ["ro"] = new(false, MS_RDONLY),
        ["rw"] = new(true, MS_RDONLY), ["silent"] = new(false, MS_SILENT), ["strictatime"] = new(false, MS_STRICTATIME),
        ["suid"] = new(true, MS_NOSUID), ["sync"] = new(false, MS_SYNCHRONOUS), ["symfollow"] = new(true, MS_NOSYMFOLLOW),
    };

    /// <summary>What one flag option does (a class, not a tuple: see PlanBuilder's note on ReadyToRun).</summary>
    private sealed record FlagEffect(bool Clear, ulong Flag);

    private static ulong PropagationFlag(string option) => option switch
    {
        "private" => MS_PRIVATE, "rprivate" => MS_PRIVATE | MS_REC, "shared" => MS_SHARED,
        "rshared" => MS_SHARED | MS_REC, "slave" => MS_SLAVE, "rslave" => MS_SLAVE | MS_REC,
        "unbindable" => MS_UNBINDABLE, "runbindable" => MS_UNBINDABLE | MS_REC,
        _ => 0,
    };

    public bool IsBind => (Flags & MS_BIND) != 0;

    /// <summary>"idmap" (the mount itself) or "ridmap" (its submounts too) was given.</summary>
    public IdmapKind Idmap { get; init; }

    /// <summary>"tmpcopyup": the new tmpfs starts with a copy of the directory it covers (runc's extension).</summary>
    public bool CopyUp { get; init; }

    /// <summary>Parses the options of <c>mounts[index]</c>; unsupported ones are an error naming the field.</summary>
    public static MountOptions Parse(IReadOnlyList<string>? options, string field)
    {
        ulong flags = 0, propagation = 0;
        var idmap = IdmapKind.None;
        var copyUp = false;
        var data = new List<string>();
        foreach (var option in options ?? [])
        {
            if (FlagTable.TryGetValue(option, out var f))
            {
                flags = f.Clear ? flags & ~f.Flag : flags | f.Flag;
            }
            else if (PropagationFlag(option) is var p and not 0)
            {
                propagation = p;
            }
            else if (option is "idmap" or "ridmap")
            {
                // Options for the runtime, never for mount(2) (runtime spec, "Mounts").
                idmap = idmap == IdmapKind.Recursive || option == "ridmap" ? IdmapKind.Recursive : IdmapKind.TopOnly;
            }
            else if (option.StartsWith("idmap=", StringComparison.Ordinal) || option.StartsWith("ridmap=", StringComparison.Ordinal))
            {
                // crun's inline mapping (podman's "-v SRC:DST:idmap=uids=…"): passed on as mount data,
                // a bind would silently not be idmapped at all.
                throw new RuncException($"{field}: \"{option}\": crun's inline id mapping is not supported; give the mount uidMappings and gidMappings");
            }
            else if (option is "tmpcopyup")
            {
                copyUp = true;
            }
            else if (option.Length > 0)
            {
                data.Add(option);
            }
        }
        return new MountOptions(flags, propagation, string.Join(',', data), (flags & MS_REC) != 0) { Idmap = idmap, CopyUp = copyUp };
    }

    /// <summary>The flag for linux.rootfsPropagation (default rslave, as runc).</summary>
    public static ulong RootPropagation(string? value) =>
        string.IsNullOrEmpty(value) ? MS_SLAVE | MS_REC : PropagationFlag(value);
}

/// <summary>Which mounts of a bind an id mapping applies to (the runtime spec's "idmap" and "ridmap").</summary>
public enum IdmapKind
{
    None,
    /// <summary>"idmap", or mappings without an option: only the top mount of the bind.</summary>
    TopOnly,
    /// <summary>"ridmap": every mount of the (r)bind.</summary>
    Recursive,
}
