namespace PSContainer.Engine.Core.Volumes;

/// <summary>The mount points of this process's mount namespace, from /proc/self/mountinfo.</summary>
internal static class MountTable
{
    public static List<string> MountPoints()
    {
        var result = new List<string>();
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            if (fields.Length > 4)
            {
                result.Add(Unescape(fields[4]));
            }
        }
        return result;
    }

    public static bool IsMountPoint(string path)
    {
        var full = Path.GetFullPath(path).TrimEnd('/');
        return MountPoints().Contains(full, StringComparer.Ordinal);
    }

    /// <summary>Mount points at or below <paramref name="path"/>.</summary>
    public static List<string> At(string path)
    {
        var full = Path.GetFullPath(path).TrimEnd('/');
        return [.. MountPoints().Where(m => m == full || m.StartsWith(full + "/", StringComparison.Ordinal))];
    }

    /// <summary>mountinfo escapes space, tab, newline and backslash as \ooo.</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }
        var builder = new System.Text.StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && IsOctal(field, i + 1))
            {
                builder.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                builder.Append(field[i]);
            }
        }
        return builder.ToString();
    }

    private static bool IsOctal(string text, int start) =>
        start + 3 <= text.Length && text[start..(start + 3)].All(c => c is >= '0' and <= '7');
}
