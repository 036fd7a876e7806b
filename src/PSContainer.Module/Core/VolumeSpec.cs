namespace PSContainer.Module.Core;

/// <summary>
/// Parses -Volume in docker's -v form: "name:/data", "name:/data:ro", "/host/dir:/data:rw",
/// or "/data" alone (an anonymous volume). Returns the bind string the API takes in Binds (or,
/// for an anonymous volume, the path for Volumes).
/// </summary>
public static class VolumeSpec
{
    private static readonly HashSet<string> KnownOptions = new(StringComparer.Ordinal)
    {
        "ro", "rw", "z", "Z", "nocopy", "shared", "rshared", "slave", "rslave", "private", "rprivate",
    };

    public static (string? Bind, string? AnonymousTarget) Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(':');
        switch (parts.Length)
        {
            case 1:
                return (null, CheckTarget(parts[0], text));
            case 2:
                return (CheckSource(parts[0], text) + ":" + CheckTarget(parts[1], text), null);
            case 3:
                foreach (var option in parts[2].Split(','))
                {
                    if (!KnownOptions.Contains(option))
                    {
                        throw new ArgumentException($"Volume '{text}' has an unknown option '{option}': use ro, rw, z, Z, nocopy or a propagation mode.");
                    }
                }
                if (parts[2].Contains("ro", StringComparison.Ordinal) && parts[2].Split(',').Contains("rw"))
                {
                    throw new ArgumentException($"Volume '{text}' is both ro and rw.");
                }
                return (CheckSource(parts[0], text) + ":" + CheckTarget(parts[1], text) + ":" + parts[2], null);
            default:
                throw new ArgumentException($"Volume '{text}' is not valid: use source:/target[:options] or /target.");
        }
    }

    private static string CheckSource(string source, string text)
    {
        if (source.Length == 0)
        {
            throw new ArgumentException($"Volume '{text}' has an empty source: name a volume or an absolute host path.");
        }
        if (!source.StartsWith('/') && !source.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
        {
            throw new ArgumentException($"Volume '{text}': '{source}' is neither an absolute host path nor a volume name ([a-zA-Z0-9_.-]).");
        }
        return source;
    }

    private static string CheckTarget(string target, string text) =>
        target.StartsWith('/')
            ? target
            : throw new ArgumentException($"Volume '{text}': the path in the container '{target}' must be absolute.");
}
