using System.Globalization;

namespace PSContainer.Bench;

/// <summary>A bad command line: the message names the option and what was wrong with it.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>"--name value" pairs; every option of psc-bench takes exactly one value.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public Options(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Count)
            {
                throw new UsageException($"expected --option value, got '{args[i]}'");
            }
            _values[args[i][2..]] = args[i + 1];
        }
    }

    public string Required(string name) =>
        _values.TryGetValue(name, out var v) && v.Length > 0 ? v : throw new UsageException($"--{name} is required");

    public string? Optional(string name) => _values.GetValueOrDefault(name);

    public double Number(string name, double fallback)
    {
        if (!_values.TryGetValue(name, out var text))
        {
            return fallback;
        }
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value <= 0)
        {
            throw new UsageException($"--{name} must be a positive number, got '{text}'");
        }
        return value;
    }
}
