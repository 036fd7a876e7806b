using System.Globalization;
using PSContainer.Engine.Errors;

namespace PSContainer.Engine.Daemon.Spec;

/// <summary>The numeric identity a container process runs with.</summary>
public sealed record ResolvedUser(uint Uid, uint Gid, IReadOnlyList<uint> AdditionalGids, string? Home);

/// <summary>
/// Resolves Docker's User field ("", "name", "uid", "name:group", "uid:gid") through the image's
/// /etc/passwd and /etc/group, as Docker does: a numeric uid missing from passwd is allowed (gid
/// 0), a name missing from passwd is an error, and supplementary groups come from /etc/group
/// memberships plus HostConfig.GroupAdd.
/// </summary>
public static class UserResolver
{
    public static ResolvedUser Resolve(string? user, string rootfs, IReadOnlyList<string>? groupAdd = null)
    {
        var spec = string.IsNullOrEmpty(user) ? "0" : user;
        var colon = spec.IndexOf(':', StringComparison.Ordinal);
        var userPart = colon < 0 ? spec : spec[..colon];
        var groupPart = colon < 0 ? null : spec[(colon + 1)..];

        var passwd = ReadEntries(Path.Combine(rootfs, "etc", "passwd"));
        var groups = ReadEntries(Path.Combine(rootfs, "etc", "group"));

        uint uid;
        uint gid = 0;
        string? name = null;
        string? home = null;
        var byName = passwd.FirstOrDefault(p => p.Length >= 4 && p[0] == userPart);
        if (byName is not null)
        {
            name = byName[0];
            uid = ParseId(byName[2], "uid", spec);
            gid = ParseId(byName[3], "gid", spec);
            home = byName.Length > 5 ? byName[5] : null;
        }
        else if (uint.TryParse(userPart, NumberStyles.None, CultureInfo.InvariantCulture, out uid))
        {
            var byUid = passwd.FirstOrDefault(p => p.Length >= 4 && p[2] == userPart);
            if (byUid is not null)
            {
                name = byUid[0];
                gid = ParseId(byUid[3], "gid", spec);
                home = byUid.Length > 5 ? byUid[5] : null;
            }
        }
        else
        {
            throw EngineException.InvalidParameter($"unable to find user {userPart}: no matching entries in passwd file");
        }

        if (!string.IsNullOrEmpty(groupPart))
        {
            gid = ResolveGroup(groupPart, groups, spec);
        }

        var additional = new SortedSet<uint>();
        if (name is not null)
        {
            foreach (var group in groups.Where(g => g.Length >= 4))
            {
                if (group[3].Split(',', StringSplitOptions.RemoveEmptyEntries).Contains(name, StringComparer.Ordinal) &&
                    uint.TryParse(group[2], NumberStyles.None, CultureInfo.InvariantCulture, out var member) && member != gid)
                {
                    additional.Add(member);
                }
            }
        }
        foreach (var extra in groupAdd ?? [])
        {
            additional.Add(ResolveGroup(extra, groups, extra));
        }
        return new ResolvedUser(uid, gid, [.. additional], home);
    }

    private static uint ResolveGroup(string group, List<string[]> groups, string spec)
    {
        var byName = groups.FirstOrDefault(g => g.Length >= 3 && g[0] == group);
        if (byName is not null)
        {
            return ParseId(byName[2], "gid", spec);
        }
        return uint.TryParse(group, NumberStyles.None, CultureInfo.InvariantCulture, out var gid)
            ? gid
            : throw EngineException.InvalidParameter($"unable to find group {group}: no matching entries in group file");
    }

    private static uint ParseId(string text, string what, string spec) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw EngineException.InvalidParameter($"invalid {what} \"{text}\" in the image's files for user {spec}");

    /// <summary>The colon-separated lines of a passwd/group file; none when the image has no such file.</summary>
    private static List<string[]> ReadEntries(string path)
    {
        // Read through the rootfs without following a symlink out of it: a hostile image could
        // point /etc/passwd anywhere on the host.
        var info = new FileInfo(path);
        if (!info.Exists || info.LinkTarget is not null)
        {
            return [];
        }
        return [.. File.ReadLines(path)
            .Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => l.Split(':'))];
    }
}
