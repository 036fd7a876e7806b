using System.Globalization;
using System.Text;
using System.Text.Json;
using PSContainer.Oci;
using PSContainer.Runc.Container;

namespace PSContainer.Runc.Cli;

/// <summary>
/// psc-runc's commands: each parses its own flags and calls <see cref="ContainerRuntime"/>.
/// Nothing here decides how a container is built.
/// </summary>
public sealed class Commands(Func<ContainerRuntime> runtime, TextWriter stdout)
{
    private static readonly OptionSpec[] CreateSpecs =
    [
        new("bundle", 'b', true), new("pid-file", null, true), new("console-socket", null, true),
        new("no-pivot"), new("no-new-keyring"), new("preserve-fds", null, true), new("detach", 'd'), new("keep"),
        new("no-subreaper"),
    ];

    private static readonly OptionSpec[] ExecSpecs =
    [
        new("process", 'p', true), new("tty", 't'), new("console-socket", null, true), new("cwd", null, true),
        new("env", 'e', true, true), new("user", 'u', true), new("additional-gids", 'g', true, true),
        new("cap", 'c', true, true), new("no-new-privs"), new("detach", 'd'), new("pid-file", null, true),
        new("preserve-fds", null, true), new("process-label", null, true), new("apparmor", null, true),
        new("ignore-paused"), new("cgroup", null, true),
    ];

    public static readonly IReadOnlyList<string> Names =
        ["create", "start", "run", "state", "kill", "delete", "list", "exec", "pause", "resume", "ps", "events", "update", "spec", "features"];

    public int Dispatch(string command, IReadOnlyList<string> args) => command switch
    {
        "create" => Create(args),
        "start" => Simple(args, "start", id => runtime().Start(id)),
        "run" => Run(args),
        "state" => State(args),
        "kill" => Kill(args),
        "delete" or "rm" => Delete(args),
        "list" or "ls" => List(args),
        "exec" => Exec(args),
        "pause" => Simple(args, "pause", id => runtime().Pause(id)),
        "resume" => Simple(args, "resume", id => runtime().Resume(id)),
        "ps" => Ps(args),
        "events" => Events(args),
        "update" => Update(args),
        "spec" => SpecCommand(args),
        "features" => Features(),
        _ => throw new UsageException($"No help topic for '{command}'"),
    };

    private static string Id(ParsedArgs a, string command) =>
        a.Positional.Count >= 1 ? a.Positional[0] : throw new UsageException($"\"{command}\" requires a container id");

    private static CreateOptions CreateOptionsOf(ParsedArgs a) => new()
    {
        PidFile = a.Value("pid-file"),
        ConsoleSocket = a.Value("console-socket"),
        NoPivot = a.Has("no-pivot"),
        NoNewKeyring = a.Has("no-new-keyring"),
        PreserveFds = a.Int("preserve-fds", 0),
        Detach = a.Has("detach"),
    };

    private int Create(IReadOnlyList<string> args)
    {
        var a = ParsedArgs.Parse(args, CreateSpecs);
        runtime().Create(Id(a, "create"), a.Value("bundle") ?? ".", CreateOptionsOf(a));
        return 0;
    }

    private int Run(IReadOnlyList<string> args)
    {
        var a = ParsedArgs.Parse(args, CreateSpecs);
        return runtime().Run(Id(a, "run"), a.Value("bundle") ?? ".", CreateOptionsOf(a));
    }

    private static int Simple(IReadOnlyList<string> args, string command, Action<string> action)
    {
        var a = ParsedArgs.Parse(args, []);
        action(Id(a, command));
        return 0;
    }

    private int State(IReadOnlyList<string> args)
    {
        var a = ParsedArgs.Parse(args, []);
        var state = runtime().State(Id(a, "state"));
        stdout.WriteLine(JsonSerializer.Serialize(state, IndentedJson.Default.ContainerState));
        return 0;
    }

    private int Kill(IReadOnlyList<string> args)
    {
        var a = ParsedArgs.Parse(args, [new("all", 'a')]);
        var signal = a.Positional.Count >= 2 ? Signals.Parse(a.Positional[1]) : 15;
        runtime().Kill(Id(a, "kill"), signal, a.Has("all"));
        return 0;
    }

    private int Delete(IReadOnlyList<string> args)
    {
        var a = ParsedArgs.Parse(args, [new("force", 'f')]);
        var id = Id(a, "delete");
        var rt = runtime();
        if (!rt.Store.Exists(id) && !Directory.Exists(rt.Store.DirOf(id)))
        {
            if (a.Has("force"))
            {
                return 0; // runc: delete --force of a missing container succeeds
            }
            throw new RuncException($"container \"{id}\" does not exist");
        }
        rt.Delete(id, a.Has("force"));
        return 0;
    }

    private int List(IReadOnlyList<string> args)
    {
        var a = ParsedArgs.Parse(args, [new("format", 'f', true), new("quiet", 'q')]);
        var list = runtime().List();
        if (a.Has("quiet"))
        {
            foreach (var c in list)
            {
                stdout.WriteLine(c.Id);
            }
            return 0;
        }
        switch (a.Value("format") ?? "table")
        {
            case "json":
                stdout.WriteLine(JsonSerializer.Serialize(list.ToList(), RuncJsonContext.Default.ListContainerSummary));
                return 0;
            case "table":
                var rows = new List<string[]> { new[] { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" } };
                rows.AddRange(list.Select(c => new[]
                {
                    c.Id, c.Pid.ToString(CultureInfo.InvariantCulture), c.Status, c.Bundle,
                    c.Created, c.Owner,
                }));
                var widths = Enumerable.Range(0, 6).Select(i => Math.Max(12, rows.Max(r => r[i].Length) + 1)).ToArray();
                foreach (var row in rows)
                {
                    stdout.WriteLine(string.Concat(row.Select((cell, i) => i == 5 ? cell : cell.PadRight(widths[i]))).TrimEnd());
                }
                return 0;
            default:
                throw new UsageException($"invalid format option \"{a.Value("format")}\" (table or json)");
        }
    }

    private int Exec(IReadOnlyList<string> args)
    {
        var a = ParsedArgs.Parse(args, ExecSpecs, stopAtPositional: true);
        var id = Id(a, "exec");
        var process = ExecProcess.From(a, runtime().Store.Load(id).Config);
        var options = new ExecOptions
        {
            PidFile = a.Value("pid-file"),
            ConsoleSocket = a.Value("console-socket"),
            PreserveFds = a.Int("preserve-fds", 0),
            Detach = a.Has("detach"),
        };
        var result = runtime().Exec(id, process, options);
        return options.Detach ? 0 : result;
    }

    private int Ps(IReadOnlyList<string> args)
    {
        var a = ParsedArgs.Parse(args, [new("format", 'f', true)], stopAtPositional: true);
        var pids = runtime().Ps(Id(a, "ps"));
        var format = a.Value("format") ?? "table";
        if (format == "json")
        {
            stdout.WriteLine(JsonSerializer.Serialize(pids.ToList(), RuncJsonContext.Default.ListInt32));
            return 0;
        }
        if (format != "table")
        {
            throw new UsageException($"invalid format option \"{format}\" (table or json)");
        }
        // Like runc: run ps(1) with the given arguments and keep the lines of the container's pids.
        var psArgs = a.Positional.Skip(1).ToList();
        if (psArgs.Count == 0)
        {
            psArgs.Add("-ef");
        }
        var output = PsTable.Run(psArgs);
        stdout.Write(PsTable.Filter(output, pids));
        return 0;
    }

    private int Events(IReadOnlyList<string> args)
    {
        var a = ParsedArgs.Parse(args, [new("stats"), new("interval", null, true)]);
        var id = Id(a, "events");
        var interval = ParseDuration(a.Value("interval") ?? "5s");
        var rt = runtime();
        do
        {
            var data = rt.Stats(id) ?? "{}";
            stdout.WriteLine($"{{\"type\":\"stats\",\"id\":{JsonSerializer.Serialize(id, IndentedJson.Default.String)},\"data\":{data}}}");
            stdout.Flush();
            if (a.Has("stats"))
            {
                return 0;
            }
            Thread.Sleep(interval);
        }
        while (rt.StatusOf(rt.Store.Load(id)) != "stopped");
        return 0;
    }

    private int Update(IReadOnlyList<string> args)
    {
        var a = ParsedArgs.Parse(args, UpdateFlags.Specs);
        runtime().Update(Id(a, "update"), UpdateFlags.Resources(a));
        return 0;
    }

    private int SpecCommand(IReadOnlyList<string> args)
    {
        var a = ParsedArgs.Parse(args, [new("bundle", 'b', true), new("rootless")]);
        var path = Path.Combine(a.Value("bundle") ?? ".", "config.json");
        if (File.Exists(path))
        {
            throw new RuncException("File config.json exists. Remove it first");
        }
        var spec = DefaultSpec.Create(a.Has("rootless"), Interop.Linux.Libc.geteuid(), Getegid());
        File.WriteAllText(path, JsonSerializer.Serialize(spec, IndentedJson.Default.Spec) + "\n");
        return 0;
    }

    private static uint Getegid() => uint.TryParse(
        File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Gid:", StringComparison.Ordinal))?.Split('\t')[2],
        NumberStyles.None, CultureInfo.InvariantCulture, out var g) ? g : 0;

    private int Features()
    {
        stdout.WriteLine(FeaturesDocument.Json());
        return 0;
    }

    /// <summary>Go-style durations: "5s", "500ms", "1m", "2m30s".</summary>
    public static TimeSpan ParseDuration(string text)
    {
        var total = TimeSpan.Zero;
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
            {
                i++;
            }
            var unitStart = i;
            while (i < text.Length && char.IsAsciiLetter(text[i]))
            {
                i++;
            }
            if (start == unitStart || !double.TryParse(text[start..unitStart], NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
            {
                throw new UsageException($"invalid duration \"{text}\"");
            }
            total += text[unitStart..i] switch
            {
                "ns" => TimeSpan.FromTicks((long)(n / 100)),
                "us" or "µs" => TimeSpan.FromTicks((long)(n * 10)),
                "ms" => TimeSpan.FromMilliseconds(n),
                "s" => TimeSpan.FromSeconds(n),
                "m" => TimeSpan.FromMinutes(n),
                "h" => TimeSpan.FromHours(n),
                _ => throw new UsageException($"invalid duration \"{text}\""),
            };
        }
        return total > TimeSpan.Zero ? total : throw new UsageException($"invalid duration \"{text}\"");
    }
}

/// <summary>Indented JSON for what people read (state, spec), as runc prints them.</summary>
[System.Text.Json.Serialization.JsonSourceGenerationOptions(WriteIndented = true,
    DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
[System.Text.Json.Serialization.JsonSerializable(typeof(ContainerState))]
[System.Text.Json.Serialization.JsonSerializable(typeof(Spec))]
[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
public sealed partial class IndentedJson : System.Text.Json.Serialization.JsonSerializerContext
{
}
