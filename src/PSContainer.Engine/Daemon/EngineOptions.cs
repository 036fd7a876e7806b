using System.Text.Json;

namespace PSContainer.Engine.Daemon;

/// <summary>
/// psc-engine's settings: embedded defaults, then a JSON config file (--config FILE, keys as in
/// dockerd's daemon.json: "data-root", "exec-root", "hosts", "runtime", "debug", "group"), then
/// command-line flags, each overriding the one before.
/// </summary>
public sealed class EngineOptions
{
    public const string DefaultDataRoot = "/var/lib/pscontainer";
    public const string DefaultExecRoot = "/run/pscontainer";
    public const string DefaultSocketGroup = "pscontainer";

    public string DataRoot { get; set; } = DefaultDataRoot;

    public string ExecRoot { get; set; } = DefaultExecRoot;

    /// <summary>unix:///path of the API socket; default &lt;exec-root&gt;/engine.sock.</summary>
    public string? Host { get; set; }

    /// <summary>The OCI runtime the shims run; default psc-runc next to the engine.</summary>
    public string? Runtime { get; set; }

    /// <summary>psc-shim; default next to the engine.</summary>
    public string? ShimPath { get; set; }

    public bool Debug { get; set; }

    /// <summary>The group that may use the socket (mode 0660), if it exists.</summary>
    public string SocketGroup { get; set; } = DefaultSocketGroup;

    /// <summary>--insecure-registry / "insecure-registries": registries (host[:port], CIDR) tried over HTTPS without a certificate check, then over plain HTTP.</summary>
    public List<string> InsecureRegistries { get; } = [];

    /// <summary>--registry-certs-dir / "registry-certs-dir": per-registry CAs in DIR/HOST:PORT/*.crt.</summary>
    public string RegistryCertsDirectory { get; set; } = "/etc/pscontainer/certs.d";

    /// <summary>--network-prefix / "network-prefix": names the engine's bridges ("psc0"), veths and iptables chains ("PSC-…").</summary>
    public string NetworkPrefix { get; set; } = Networks.NetworkNaming.DefaultPrefix;

    public string SocketPath
    {
        get
        {
            var host = Host ?? "unix://" + Path.Combine(ExecRoot, "engine.sock");
            return host.StartsWith("unix://", StringComparison.Ordinal) ? host["unix://".Length..]
                : host.StartsWith('/') ? host
                : throw new ArgumentException($"--host {host}: only unix:// sockets are supported (TCP needs mutual TLS, not implemented)");
        }
    }

    /// <summary>Parses flags (and the config file they name); throws ArgumentException with a usage hint.</summary>
    public static EngineOptions Parse(IReadOnlyList<string> args)
    {
        var options = new EngineOptions();
        var configIndex = IndexOf(args, "--config");
        if (configIndex >= 0)
        {
            options.ApplyConfigFile(Value(args, configIndex));
        }
        for (var i = 0; i < args.Count; i++)
        {
            var (name, inline) = Split(args[i]);
            string Next() => inline ?? Value(args, i++);
            switch (name)
            {
                case "--config": Next(); break;
                case "--data-root": options.DataRoot = Path.GetFullPath(Next()); break;
                case "--exec-root": options.ExecRoot = Path.GetFullPath(Next()); break;
                case "-H" or "--host": options.Host = Next(); break;
                case "--runtime": options.Runtime = Path.GetFullPath(Next()); break;
                case "--shim": options.ShimPath = Path.GetFullPath(Next()); break;
                case "--group": options.SocketGroup = Next(); break;
                case "-D" or "--debug": options.Debug = true; break;
                case "--insecure-registry": options.InsecureRegistries.Add(Core.Distribution.RegistryOptions.ValidateInsecureRegistry(Next())); break;
                case "--registry-certs-dir": options.RegistryCertsDirectory = Path.GetFullPath(Next()); break;
                case "--network-prefix": options.NetworkPrefix = Next(); break;
                default: throw new ArgumentException($"unknown flag {args[i]}\n{Usage}");
            }
        }
        return options;
    }

    public const string Usage =
        "usage: psc-engine [--config FILE] [--data-root DIR] [--exec-root DIR] [--host unix:///PATH] [--runtime PATH] [--shim PATH] [--group NAME] [--debug]" +
        " [--insecure-registry HOST[:PORT]|CIDR]... [--registry-certs-dir DIR] [--network-prefix NAME]";

    private void ApplyConfigFile(string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new ArgumentException($"config file {path}: {e.Message}", e);
        }
        using (document)
        {
            foreach (var property in document.RootElement.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "data-root": DataRoot = property.Value.GetString() ?? DataRoot; break;
                    case "exec-root": ExecRoot = property.Value.GetString() ?? ExecRoot; break;
                    case "hosts" when property.Value.ValueKind == JsonValueKind.Array && property.Value.GetArrayLength() > 0:
                        Host = property.Value[0].GetString();
                        break;
                    case "host": Host = property.Value.GetString(); break;
                    case "runtime": Runtime = property.Value.GetString(); break;
                    case "shim": ShimPath = property.Value.GetString(); break;
                    case "group": SocketGroup = property.Value.GetString() ?? SocketGroup; break;
                    case "debug": Debug = property.Value.ValueKind == JsonValueKind.True; break;
                    case "insecure-registries" when property.Value.ValueKind == JsonValueKind.Array:
                        InsecureRegistries.AddRange(property.Value.EnumerateArray().Select(e =>
                            Core.Distribution.RegistryOptions.ValidateInsecureRegistry(e.GetString() ?? "")));
                        break;
                    case "registry-certs-dir": RegistryCertsDirectory = property.Value.GetString() ?? RegistryCertsDirectory; break;
                    case "network-prefix": NetworkPrefix = property.Value.GetString() ?? NetworkPrefix; break;
                    default: throw new ArgumentException($"config file {path}: unknown key \"{property.Name}\"");
                }
            }
        }
    }

    private static int IndexOf(IReadOnlyList<string> args, string flag)
    {
        for (var i = 0; i < args.Count; i++)
        {
            if (Split(args[i]).Name == flag)
            {
                return i;
            }
        }
        return -1;
    }

    private static (string Name, string? Inline) Split(string arg)
    {
        var eq = arg.IndexOf('=', StringComparison.Ordinal);
        return arg.StartsWith("--", StringComparison.Ordinal) && eq > 0 ? (arg[..eq], arg[(eq + 1)..]) : (arg, null);
    }

    private static string Value(IReadOnlyList<string> args, int index)
    {
        var (_, inline) = Split(args[index]);
        if (inline is not null)
        {
            return inline;
        }
        return index + 1 < args.Count ? args[index + 1] : throw new ArgumentException($"flag {args[index]} needs a value\n{Usage}");
    }
}
