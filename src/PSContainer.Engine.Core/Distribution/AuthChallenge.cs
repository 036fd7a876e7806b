namespace PSContainer.Engine.Core.Distribution;

/// <summary>
/// One challenge of a registry's <c>WWW-Authenticate</c> header: a scheme ("Bearer", "Basic") and
/// its parameters (realm, service, scope), as the distribution token spec describes.
/// </summary>
public sealed record AuthChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public string? Realm => Parameters.GetValueOrDefault("realm");

    public string? Service => Parameters.GetValueOrDefault("service");

    public string? Scope => Parameters.GetValueOrDefault("scope");

    public bool IsBearer => Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);

    public bool IsBasic => Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Parses a header value such as <c>Bearer realm="https://auth/token",service="reg",scope="repository:a/b:pull"</c>.
    /// Several challenges may follow each other; a parameter value is a token or a quoted string
    /// (with backslash escapes). Throws FormatException on text that is not a challenge.
    /// </summary>
    public static IReadOnlyList<AuthChallenge> Parse(string header)
    {
        var result = new List<AuthChallenge>();
        var i = 0;
        while (true)
        {
            SkipSeparators(header, ref i);
            if (i >= header.Length)
            {
                return result;
            }
            var scheme = ReadToken(header, ref i);
            if (scheme.Length == 0)
            {
                throw new FormatException($"WWW-Authenticate \"{header}\": expected an auth scheme at offset {i}");
            }
            var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            while (true)
            {
                SkipSpaces(header, ref i);
                var start = i;
                var name = ReadToken(header, ref i);
                SkipSpaces(header, ref i);
                if (name.Length == 0 || i >= header.Length || header[i] != '=')
                {
                    i = start; // the next challenge's scheme (or the end)
                    break;
                }
                i++;
                SkipSpaces(header, ref i);
                parameters[name] = i < header.Length && header[i] == '"' ? ReadQuoted(header, ref i) : ReadToken(header, ref i);
                SkipSpaces(header, ref i);
                if (i < header.Length && header[i] == ',')
                {
                    i++;
                }
            }
            result.Add(new AuthChallenge(scheme, parameters));
        }
    }

    private static void SkipSpaces(string s, ref int i)
    {
        while (i < s.Length && s[i] is ' ' or '\t')
        {
            i++;
        }
    }

    private static void SkipSeparators(string s, ref int i)
    {
        while (i < s.Length && s[i] is ' ' or '\t' or ',')
        {
            i++;
        }
    }

    private static string ReadToken(string s, ref int i)
    {
        var start = i;
        while (i < s.Length && s[i] is not (' ' or '\t' or ',' or '=' or '"'))
        {
            i++;
        }
        return s[start..i];
    }

    private static string ReadQuoted(string s, ref int i)
    {
        var builder = new System.Text.StringBuilder();
        i++; // opening quote
        while (i < s.Length && s[i] != '"')
        {
            if (s[i] == '\\' && i + 1 < s.Length)
            {
                i++;
            }
            builder.Append(s[i]);
            i++;
        }
        if (i >= s.Length)
        {
            throw new FormatException($"WWW-Authenticate \"{s}\": unterminated quoted string");
        }
        i++; // closing quote
        return builder.ToString();
    }
}
