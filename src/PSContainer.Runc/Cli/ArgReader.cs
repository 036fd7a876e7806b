using System.Globalization;

namespace PSContainer.Runc.Cli;

/// <summary>Declares the options one command accepts: long name, short alias, and whether it takes a value.</summary>
public sealed record OptionSpec(string Name, char? Short = null, bool TakesValue = false, bool Repeatable = false);

/// <summary>
/// A command line split into options and positional arguments, runc/urfave style: "--name value",
/// "--name=value", "-n value", boolean flags, "--" ending the options. Options may come anywhere
/// before the first positional argument of commands that stop there (exec, ps).
/// </summary>
public sealed class ParsedArgs
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    public List<string> Positional { get; } = [];

    public bool Has(string name) => _values.ContainsKey(name);

    public string? Value(string name) => _values.TryGetValue(name, out var v) ? v[^1] : null;

    public IReadOnlyList<string> Values(string name) => _values.TryGetValue(name, out var v) ? v : [];

    public int Int(string name, int fallback)
    {
        var v = Value(name);
        if (v is null)
        {
            return fallback;
        }
        return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0
            ? n
            : throw new UsageException($"--{name}: \"{v}\" is not a non-negative number");
    }

    internal void Add(string name, string value)
    {
        if (!_values.TryGetValue(name, out var list))
        {
            _values[name] = list = [];
        }
        list.Add(value);
    }

    /// <summary>
    /// Parses <paramref name="args"/> against <paramref name="specs"/>. With
    /// <paramref name="stopAtPositional"/> everything after the first positional argument beyond
    /// <paramref name="leadingPositionals"/> is kept verbatim (exec's command and its own flags).
    /// </summary>
    public static ParsedArgs Parse(IReadOnlyList<string> args, IReadOnlyList<OptionSpec> specs, bool stopAtPositional = false,
        int leadingPositionals = 1)
    {
        var result = new ParsedArgs();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (stopAtPositional && result.Positional.Count >= leadingPositionals)
            {
                result.Positional.AddRange(args.Skip(i));
                break;
            }
            if (arg == "--")
            {
                result.Positional.AddRange(args.Skip(i + 1));
                break;
            }
            if (arg.Length < 2 || arg[0] != '-')
            {
                result.Positional.Add(arg);
                continue;
            }
            string name;
            string? inline = null;
            OptionSpec? spec;
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                var eq = arg.IndexOf('=', StringComparison.Ordinal);
                name = eq < 0 ? arg[2..] : arg[2..eq];
                inline = eq < 0 ? null : arg[(eq + 1)..];
                spec = specs.FirstOrDefault(s => s.Name == name);
            }
            else
            {
                // Go's flag package takes single-dash long names (-bundle); then -n, or -nVALUE for a value flag.
                spec = specs.FirstOrDefault(s => s.Name == arg[1..])
                    ?? specs.FirstOrDefault(s => s.Short == arg[1] && (arg.Length == 2 || s.TakesValue));
                if (spec is not null && spec.Name != arg[1..] && arg.Length > 2)
                {
                    inline = arg[2..];
                }
                name = spec?.Name ?? arg[1..];
            }
            if (spec is null)
            {
                throw new UsageException($"flag provided but not defined: -{name}");
            }
            if (spec.TakesValue)
            {
                var value = inline ?? (i + 1 < args.Count ? args[++i] : throw new UsageException($"flag needs an argument: --{spec.Name}"));
                result.Add(spec.Name, value);
            }
            else
            {
                if (inline is not null && !bool.TryParse(inline, out var b))
                {
                    throw new UsageException($"--{spec.Name}: invalid boolean \"{inline}\"");
                }
                if (inline is null || bool.Parse(inline))
                {
                    result.Add(spec.Name, "true");
                }
            }
        }
        return result;
    }
}

/// <summary>A command line that cannot be understood; psc-runc prints it with the usage hint and exits 1.</summary>
public sealed class UsageException : Exception
{
    public UsageException(string message) : base(message) { }

    public UsageException() { }

    public UsageException(string message, Exception inner) : base(message, inner) { }
}
