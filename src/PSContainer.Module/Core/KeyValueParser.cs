using System.Collections;
using System.Globalization;

namespace PSContainer.Module.Core;

/// <summary>
/// Parses -Environment and -Label values: hashtables (@{A = '1'}) or 'A=1' strings. For
/// -Environment a bare 'A' takes the value of A from the caller's environment, as docker -e A
/// does, and is left out when A is not set there.
/// </summary>
public static class KeyValueParser
{
    public static List<string> ParseEnvironment(IEnumerable<object?> values, Func<string, string?> callerEnvironment)
    {
        ArgumentNullException.ThrowIfNull(callerEnvironment);
        var result = new List<string>();
        foreach (var (key, value) in Parse(values, "-Environment", allowBareKey: true))
        {
            if (value is not null)
            {
                result.Add(key + "=" + value);
            }
            else if (callerEnvironment(key) is { } inherited)
            {
                result.Add(key + "=" + inherited);
            }
        }
        return result;
    }

    public static Dictionary<string, string> ParseLabels(IEnumerable<object?> values)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in Parse(values, "-Label", allowBareKey: true))
        {
            labels[key] = value ?? "";
        }
        return labels;
    }

    /// <summary>Pairs in the order given; a later value for the same key wins.</summary>
    public static IEnumerable<(string Key, string? Value)> Parse(IEnumerable<object?> values, string parameter, bool allowBareKey)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (var value in values)
        {
            switch (value)
            {
                case null:
                    break;
                case IDictionary table:
                    foreach (DictionaryEntry entry in table)
                    {
                        var key = Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "";
                        yield return (CheckKey(key, parameter), Convert.ToString(entry.Value, CultureInfo.InvariantCulture) ?? "");
                    }
                    break;
                case string text:
                    var equals = text.IndexOf('=', StringComparison.Ordinal);
                    if (equals < 0)
                    {
                        if (!allowBareKey)
                        {
                            throw new ArgumentException($"{parameter} value '{text}' must be NAME=VALUE.");
                        }
                        yield return (CheckKey(text, parameter), null);
                    }
                    else
                    {
                        yield return (CheckKey(text[..equals], parameter), text[(equals + 1)..]);
                    }
                    break;
                default:
                    throw new ArgumentException($"{parameter} takes a hashtable (@{{A = '1'}}) or 'A=1' strings, not a {value.GetType().Name}.");
            }
        }
    }

    private static string CheckKey(string key, string parameter) =>
        string.IsNullOrWhiteSpace(key) || key.Any(char.IsWhiteSpace)
            ? throw new ArgumentException($"{parameter} has an invalid name '{key}': names cannot be empty or contain spaces.")
            : key;
}
