namespace PSContainer.Engine.Core.Volumes;

/// <summary>
/// A mount(8)-style option string ("ro,nosuid,size=64m,uid=1000") split into mount(2) flags and
/// the file-system-specific data the kernel passes to the file system. Later words win, as in
/// mount(8): "ro,rw" is read-write.
/// </summary>
public sealed record MountOptions(ulong Flags, string Data)
{
    // Values from <linux/mount.h>; the names are mount(8)'s.
    private const ulong Rdonly = 0x1, Nosuid = 0x2, Nodev = 0x4, Noexec = 0x8, Synchronous = 0x10, Mandlock = 0x40,
        Dirsync = 0x80, Noatime = 0x400, Nodiratime = 0x800, Bind = 0x1000, Rec = 0x4000, Relatime = 0x200000, Strictatime = 0x1000000;

    public const ulong MsBind = Bind;

    private static readonly Dictionary<string, (bool Clear, ulong Flag)> Words = new(StringComparer.Ordinal)
    {
        ["ro"] = (false, Rdonly), ["rw"] = (true, Rdonly),
        ["nosuid"] = (false, Nosuid), ["suid"] = (true, Nosuid),
        ["nodev"] = (false, Nodev), ["dev"] = (true, Nodev),
        ["noexec"] = (false, Noexec), ["exec"] = (true, Noexec),
        ["sync"] = (false, Synchronous), ["async"] = (true, Synchronous),
        ["mand"] = (false, Mandlock), ["nomand"] = (true, Mandlock),
        ["dirsync"] = (false, Dirsync),
        ["noatime"] = (false, Noatime), ["atime"] = (true, Noatime),
        ["nodiratime"] = (false, Nodiratime), ["diratime"] = (true, Nodiratime),
        ["relatime"] = (false, Relatime), ["norelatime"] = (true, Relatime),
        ["strictatime"] = (false, Strictatime), ["nostrictatime"] = (true, Strictatime),
        ["bind"] = (false, Bind), ["rbind"] = (false, Bind | Rec),
        ["defaults"] = (true, 0),
    };

    public bool IsBind => (Flags & Bind) != 0;

    public bool ReadOnly => (Flags & Rdonly) != 0;

    public static MountOptions Parse(string? text)
    {
        ulong flags = 0;
        var data = new List<string>();
        foreach (var word in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Words.TryGetValue(word, out var known))
            {
                flags = known.Clear ? flags & ~known.Flag : flags | known.Flag;
            }
            else
            {
                data.Add(word);
            }
        }
        return new MountOptions(flags, string.Join(',', data));
    }

    /// <summary>The value of a data option such as "size" (the last one wins), or null.</summary>
    public string? DataValue(string key) =>
        Data.Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(w => w.Split('=', 2))
            .LastOrDefault(kv => kv[0] == key) is { Length: 2 } pair ? pair[1] : null;
}
