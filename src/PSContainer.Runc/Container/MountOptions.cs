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

    private static readonly Dictionary<string, (bool Clear, ulong Flag)> FlagTable = new(StringComparer.Ordinal)
    {
        ["async"] = (true, MS_SYNCHRONOUS), ["atime"] = (true, MS_NOATIME), ["bind"] = (false, MS_BIND),
        ["defaults"] = (false, 0), ["dev"] = (true, MS_NODEV), ["diratime"] = (true, MS_NODIRATIME),
        ["dirsync"] = (false, MS_DIRSYNC), ["exec"] = (true, MS_NOEXEC), ["iversion"] = (false, MS_I_VERSION),
        ["lazytime"] = (false, MS_LAZYTIME), ["loud"] = (true, MS_SILENT), ["mand"] = (false, MS_MANDLOCK),
        ["noatime"] = (false, MS_NOATIME), ["nodev"] = (false, MS_NODEV), ["nodiratime"] = (false, MS_NODIRATIME),
        ["noexec"] = (false, MS_NOEXEC), ["noiversion"] = (true, MS_I_VERSION), ["nolazytime"] = (true, MS_LAZYTIME),
        ["nomand"] = (true, MS_MANDLOCK), ["norelatime"] = (true, MS_RELATIME), ["nostrictatime"] = (true, MS_STRICTATIME),
        ["nosuid"] = (false, MS_NOSUID), ["nosymfollow"] = (false, MS_NOSYMFOLLOW), ["rbind"] = (false, MS_BIND | MS_REC),
        ["relatime"] = (false, MS_RELATIME), ["remount"] = (false, MS_REMOUNT), ["ro"] = (false, MS_RDONLY),
        ["rw"] = (true, MS_RDONLY), ["silent"] = (false, MS_SILENT), ["strictatime"] = (false, MS_STRICTATIME),
        ["suid"] = (true, MS_NOSUID), ["sync"] = (false, MS_SYNCHRONOUS), ["symfollow"] = (true, MS_NOSYMFOLLOW),
    };

    private static readonly Dictionary<string, ulong> PropagationTable = new(StringComparer.Ordinal)
    {
        ["private"] = MS_PRIVATE, ["rprivate"] = MS_PRIVATE | MS_REC, ["shared"] = MS_SHARED,
        ["rshared"] = MS_SHARED | MS_REC, ["slave"] = MS_SLAVE, ["rslave"] = MS_SLAVE | MS_REC,
        ["unbindable"] = MS_UNBINDABLE, ["runbindable"] = MS_UNBINDABLE | MS_REC,
    };

    public bool IsBind => (Flags & MS_BIND) != 0;

    /// <summary>Parses the options of <c>mounts[index]</c>; unsupported ones are an error naming the field.</summary>
    public static MountOptions Parse(IReadOnlyList<string>? options, string field)
    {
        ulong flags = 0, propagation = 0;
        var data = new List<string>();
        foreach (var option in options ?? [])
        {
            if (FlagTable.TryGetValue(option, out var f))
            {
                flags = f.Clear ? flags & ~f.Flag : flags | f.Flag;
            }
            else if (PropagationTable.TryGetValue(option, out var p))
            {
                propagation = p;
            }
            else if (option is "idmap" or "ridmap")
            {
                throw new RuncException($"{field}: idmapped mounts (\"{option}\") are not supported by psc-runc");
            }
            else if (option is "tmpcopyup")
            {
                throw new RuncException($"{field}: \"tmpcopyup\" is not supported by psc-runc");
            }
            else if (option.Length > 0)
            {
                data.Add(option);
            }
        }
        return new MountOptions(flags, propagation, string.Join(',', data), (flags & MS_REC) != 0);
    }

    /// <summary>The flag for linux.rootfsPropagation (default rslave, as runc).</summary>
    public static ulong RootPropagation(string? value) =>
        string.IsNullOrEmpty(value) ? MS_SLAVE | MS_REC : PropagationTable[value];
}
