namespace PSContainer.Engine.Core.Diff;

/// <summary>
/// Paths inside a container as <c>docker cp</c> sends them (GET/HEAD/PUT /containers/{id}/archive):
/// always taken as absolute, cleaned lexically, with a trailing "/" or "/." kept because it changes
/// the meaning (follow the last element, copy a directory's contents). Pure string functions; the
/// file system is consulted only by <see cref="ScopedRoot"/>.
/// </summary>
public static class ContainerPath
{
    /// <summary>Lexical cleaning of an absolute path: empty and "." elements vanish, ".." removes the previous element and never climbs above "/".</summary>
    public static string Clean(string path)
    {
        var parts = new List<string>();
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
            {
                continue;
            }
            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
                continue;
            }
            parts.Add(part);
        }
        return "/" + string.Join('/', parts);
    }

    /// <summary>
    /// The absolute path a request means: "/" + the path, cleaned, keeping a trailing "/" ("etc/" →
    /// "/etc/") or "/." ("/etc/." stays), as the client sent it.
    /// </summary>
    public static string Absolute(string requested)
    {
        var cleaned = Clean(requested);
        if (cleaned == "/")
        {
            return "/";
        }
        if (requested.EndsWith("/.", StringComparison.Ordinal) || requested == ".")
        {
            return cleaned + "/.";
        }
        return requested.EndsWith('/') ? cleaned + "/" : cleaned;
    }

    /// <summary>
    /// Splits an <see cref="Absolute"/> path into the directory part (resolved with every symlink
    /// followed) and the last element, which is not followed: "/a/b" → ("/a", "b"); "/a/b/" →
    /// ("/a/b", ""); "/a/b/." → ("/a/b", "."); "/" → ("/", "").
    /// </summary>
    public static (string Directory, string Last) Split(string absolute)
    {
        if (absolute == "/")
        {
            return ("/", "");
        }
        if (absolute.EndsWith("/.", StringComparison.Ordinal))
        {
            return (Clean(absolute), ".");
        }
        if (absolute.EndsWith('/'))
        {
            return (Clean(absolute), "");
        }
        var slash = absolute.LastIndexOf('/');
        return (slash == 0 ? "/" : absolute[..slash], absolute[(slash + 1)..]);
    }

    /// <summary>The name the stat header and the archive use: the last element ("/etc/" → "etc", "/etc/." → ".", "/" → "/").</summary>
    public static string BaseName(string absolute)
    {
        if (absolute.EndsWith("/.", StringComparison.Ordinal))
        {
            return ".";
        }
        var trimmed = absolute.TrimEnd('/');
        return trimmed.Length == 0 ? "/" : trimmed[(trimmed.LastIndexOf('/') + 1)..];
    }

    /// <summary>
    /// <paramref name="entryName"/> (a tar entry name, taken as relative) joined under
    /// <paramref name="directory"/> and cleaned; null when ".." would take it outside the directory.
    /// </summary>
    public static string? JoinWithin(string directory, string entryName)
    {
        var joined = Clean(directory + "/" + entryName);
        return IsWithin(directory, joined) ? joined : null;
    }

    /// <summary>Is the cleaned absolute <paramref name="path"/> the directory itself or below it?</summary>
    public static bool IsWithin(string directory, string path)
    {
        var dir = Clean(directory);
        return dir == "/" || path == dir || path.StartsWith(dir + "/", StringComparison.Ordinal);
    }

    /// <summary>The parent of a cleaned absolute path ("/" for top-level entries and for "/" itself).</summary>
    public static string Parent(string cleaned)
    {
        var slash = cleaned.LastIndexOf('/');
        return slash <= 0 ? "/" : cleaned[..slash];
    }

    /// <summary>The last element of a cleaned absolute path ("" for "/").</summary>
    public static string Name(string cleaned) => cleaned[(cleaned.LastIndexOf('/') + 1)..];
}
