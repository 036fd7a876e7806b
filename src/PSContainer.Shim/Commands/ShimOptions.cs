using System.Globalization;
using PSContainer.ShimApi;

namespace PSContainer.Shim.Commands;

/// <summary>
/// The command line of the verbs:
///   start  --id ID --bundle DIR [--address ENGINE-EVENTS-SOCKET] [--runtime PATH] [--runtime-root DIR]
///          [--socket-dir DIR] [--log-max-size BYTES] [--log-max-files N]
///   serve  (the same, plus --ready-fd FD; started by start, not by people)
///   serve  --spare-socket PATH [--address ...] [--runtime ...] [--runtime-root ...] [--socket-dir ...] --ready-fd FD
///          (a spare: no container yet; it waits on PATH for a Bind, see BindRequest)
///   delete --id ID --bundle DIR [--runtime PATH] [--runtime-root DIR] [--socket-dir DIR]
/// </summary>
internal sealed record ShimOptions(string Id, string Bundle, string? Address, string Runtime, string? RuntimeRoot,
    string SocketDirectory, long LogMaxSize, int LogMaxFiles, int? ReadyFd)
{
    /// <summary>serve --spare-socket: where a spare waits for its Bind; null for a bound server.</summary>
    public string? SpareSocket { get; init; }

    /// <summary>The default runtime: psc-runc next to psc-shim.</summary>
    public static string DefaultRuntime => Path.Combine(AppContext.BaseDirectory, "psc-runc");

    public string SocketPath => ShimPaths.SocketPath(SocketDirectory, Id, Bundle);

    public static ShimOptions Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        string[] known = ["--id", "--bundle", "--address", "--runtime", "--runtime-root", "--socket-dir", "--log-max-size", "--log-max-files", "--ready-fd", "--spare-socket"];
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            var value = (string?)null;
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            if (name.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            if (!known.Contains(name))
            {
                throw new ArgumentException($"unknown option '{args[i]}'");
            }
            if (value is null)
            {
                if (i + 1 >= args.Count)
                {
                    throw new ArgumentException($"option {name} needs a value");
                }
                value = args[++i];
            }
            values[name] = value;
        }
        var spareSocket = values.GetValueOrDefault("--spare-socket");
        if (spareSocket is not null)
        {
            if (values.ContainsKey("--id") || values.ContainsKey("--bundle"))
            {
                throw new ArgumentException("--spare-socket starts a spare for no container yet: --id and --bundle come with its Bind");
            }
            values["--id"] = "spare";
            values["--bundle"] = "/";
        }
        var id = values.GetValueOrDefault("--id") ?? throw new ArgumentException("--id is required");
        if (id.Length == 0 || id.Length > 1024 || id.Contains('/', StringComparison.Ordinal) || id is "." or "..")
        {
            throw new ArgumentException($"--id '{id}' is not a valid container id");
        }
        var bundle = values.GetValueOrDefault("--bundle") ?? throw new ArgumentException("--bundle is required");
        bundle = Path.GetFullPath(bundle);
        if (!Directory.Exists(bundle))
        {
            throw new ArgumentException($"--bundle {bundle}: no such directory");
        }
        var maxSize = Number(values, "--log-max-size", 0L);
        var maxFiles = (int)Number(values, "--log-max-files", 1L);
        if (maxSize < 0 || maxFiles < 1)
        {
            throw new ArgumentException($"--log-max-size {maxSize} must be >= 0 and --log-max-files {maxFiles} >= 1");
        }
        var address = values.GetValueOrDefault("--address");
        if (address is not null)
        {
            address = ShimPaths.SocketPathFromAddress(address);
        }
        return new ShimOptions(id, bundle, address,
            Path.GetFullPath(values.GetValueOrDefault("--runtime") ?? DefaultRuntime),
            values.GetValueOrDefault("--runtime-root"),
            values.GetValueOrDefault("--socket-dir") ?? ShimPaths.DefaultSocketDirectory,
            maxSize, maxFiles,
            values.ContainsKey("--ready-fd") ? (int)Number(values, "--ready-fd", 0L) : null)
        {
            SpareSocket = spareSocket is null ? null : Path.GetFullPath(spareSocket),
        };
    }

    /// <summary>The options again as arguments, for start to pass on to serve.</summary>
    public List<string> ToArguments()
    {
        var args = new List<string> { "--id", Id, "--bundle", Bundle, "--runtime", Runtime, "--socket-dir", SocketDirectory,
            "--log-max-size", LogMaxSize.ToString(CultureInfo.InvariantCulture), "--log-max-files", LogMaxFiles.ToString(CultureInfo.InvariantCulture) };
        if (Address is not null)
        {
            args.AddRange(["--address", Address]);
        }
        if (RuntimeRoot is not null)
        {
            args.AddRange(["--runtime-root", RuntimeRoot]);
        }
        return args;
    }

    private static long Number(Dictionary<string, string> values, string name, long fallback)
    {
        if (!values.TryGetValue(name, out var text))
        {
            return fallback;
        }
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"{name} '{text}' is not a non-negative number");
    }
}
