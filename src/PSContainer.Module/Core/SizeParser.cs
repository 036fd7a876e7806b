using System.Globalization;

namespace PSContainer.Module.Core;

/// <summary>
/// Sizes in bytes. PowerShell's size literals (256MB) already arrive as numbers; strings in
/// docker's form ("256m", "1g", "512k", "1.5GB") are accepted too, with binary multiples as docker uses.
/// </summary>
public static class SizeParser
{
    public static long Parse(string text, string what)
    {
        ArgumentNullException.ThrowIfNull(text);
        var value = text.Trim().ToLowerInvariant();
        if (value.EndsWith('b'))
        {
            value = value[..^1];
        }
        long multiplier = 1;
        if (value.Length > 0 && char.IsAsciiLetter(value[^1]))
        {
            multiplier = value[^1] switch
            {
                'k' => 1L << 10,
                'm' => 1L << 20,
                'g' => 1L << 30,
                't' => 1L << 40,
                _ => throw new ArgumentException($"{what} '{text}' has an unknown unit: use a number of bytes, 256MB, or 256m."),
            };
            value = value[..^1];
        }
        if (!double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number) || number < 0)
        {
            throw new ArgumentException($"{what} '{text}' is not a size: use a number of bytes, 256MB, or 256m.");
        }
        return checked((long)Math.Round(number * multiplier));
    }
}
