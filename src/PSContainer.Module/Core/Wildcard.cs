namespace PSContainer.Module.Core;

/// <summary>
/// PowerShell's wildcard language without PowerShell: * (any run), ? (one character), [abc] and
/// [a-z] (one of a set), and the backtick escaping the next character; case-insensitive as
/// PowerShell's -like is. Kept here so name resolution is tested without a PowerShell host.
/// </summary>
public static class Wildcard
{
    public static bool ContainsWildcard(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        for (var i = 0; i < pattern.Length; i++)
        {
            switch (pattern[i])
            {
                case '`':
                    i++;
                    break;
                case '*' or '?' or '[':
                    return true;
            }
        }
        return false;
    }

    public static bool IsMatch(string text, string pattern)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(pattern);
        return Match(text.AsSpan(), pattern.AsSpan());
    }

    private static bool Match(ReadOnlySpan<char> text, ReadOnlySpan<char> pattern)
    {
        // Iterative with one backtrack point for the last '*': linear in practice, no recursion blow-up.
        int t = 0, p = 0, starPattern = -1, starText = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length)
            {
                var c = pattern[p];
                if (c == '*')
                {
                    starPattern = p++;
                    starText = t;
                    continue;
                }
                if (c == '?')
                {
                    p++;
                    t++;
                    continue;
                }
                if (c == '[' && TryMatchSet(pattern, p, text[t], out var next, out var matched))
                {
                    if (matched)
                    {
                        p = next;
                        t++;
                        continue;
                    }
                }
                else
                {
                    var literal = c;
                    var width = 1;
                    if (c == '`' && p + 1 < pattern.Length)
                    {
                        literal = pattern[p + 1];
                        width = 2;
                    }
                    if (char.ToUpperInvariant(literal) == char.ToUpperInvariant(text[t]))
                    {
                        p += width;
                        t++;
                        continue;
                    }
                }
            }
            if (starPattern < 0)
            {
                return false;
            }
            p = starPattern + 1;
            t = ++starText;
        }
        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }
        return p == pattern.Length;
    }

    /// <summary>Reads "[...]" at <paramref name="start"/>; false when it is not a closed set (then '[' is literal).</summary>
    private static bool TryMatchSet(ReadOnlySpan<char> pattern, int start, char c, out int next, out bool matched)
    {
        matched = false;
        next = start;
        var i = start + 1;
        var upper = char.ToUpperInvariant(c);
        var any = false;
        while (i < pattern.Length && pattern[i] != ']')
        {
            var low = pattern[i];
            if (low == '`' && i + 1 < pattern.Length)
            {
                low = pattern[++i];
            }
            var high = low;
            if (i + 2 < pattern.Length && pattern[i + 1] == '-' && pattern[i + 2] != ']')
            {
                high = pattern[i + 2];
                i += 2;
            }
            if (upper >= char.ToUpperInvariant(low) && upper <= char.ToUpperInvariant(high))
            {
                matched = true;
            }
            any = true;
            i++;
        }
        if (i >= pattern.Length || !any)
        {
            return false;
        }
        next = i + 1;
        return true;
    }
}
