using PSContainer.Runc.Container;

namespace PSContainer.Runc.Cli;

/// <summary>psc-runc's entry: global flags, then one command; errors become one line and exit status 1.</summary>
public static class RuncMain
{
    private static readonly OptionSpec[] GlobalSpecs =
    [
        new("root", null, true), new("log", null, true), new("log-format", null, true), new("debug"),
        new("systemd-cgroup"), new("version", 'v'), new("help", 'h'), new("criu", null, true), new("rootless", null, true),
    ];

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, Func<RuntimeOptions, RuntimeOptions>? configure = null)
    {
        var log = new RuncLog(null, false, false);
        string? command = null;
        try
        {
            // Global flags end at the first word that is not a flag: the command.
            var split = 0;
            while (split < args.Count && args[split].StartsWith('-'))
            {
                var name = args[split].TrimStart('-').Split('=')[0];
                var spec = GlobalSpecs.FirstOrDefault(s => s.Name == name || (s.Short is { } c && name.Length == 1 && name[0] == c));
                split += spec is { TakesValue: true } && !args[split].Contains('=', StringComparison.Ordinal) ? 2 : 1;
            }
            var global = ParsedArgs.Parse(args.Take(Math.Min(split, args.Count)).ToList(), GlobalSpecs);
            var format = global.Value("log-format") ?? "text";
            if (format is not ("text" or "json"))
            {
                throw new UsageException($"invalid log-format: {format}");
            }
            log = new RuncLog(global.Value("log"), format == "json", global.Has("debug"));
            if (global.Has("version"))
            {
                stdout.WriteLine($"psc-runc version {typeof(RuncMain).Assembly.GetName().Version?.ToString(3)}");
                stdout.WriteLine($"spec: {ContainerRuntime.OciVersion}");
                return 0;
            }
            if (split >= args.Count || global.Has("help"))
            {
                stdout.WriteLine("usage: psc-runc [--root DIR] [--log FILE] [--log-format text|json] [--debug] COMMAND [ARGS]");
                stdout.WriteLine("commands: " + string.Join(", ", Commands.Names));
                return split >= args.Count && !global.Has("help") ? 1 : 0;
            }
            if (global.Has("systemd-cgroup"))
            {
                throw new RuncException("--systemd-cgroup is not supported: psc-runc manages cgroupfs directly (v1 and v2)");
            }
            command = args[split];
            var runtimeOptions = RuntimeComposition.Options(global.Value("root") ?? StateStore.DefaultRoot, log);
            if (configure is not null)
            {
                runtimeOptions = configure(runtimeOptions);
            }
            ContainerRuntime? runtime = null;
            var commands = new Commands(() => runtime ??= new ContainerRuntime(runtimeOptions), stdout);
            return commands.Dispatch(command, args.Skip(split + 1).ToList());
        }
        catch (UsageException e)
        {
            log.Error(e.Message);
            return 1;
        }
        catch (RuncException e)
        {
            log.Error(command is "create" or "run" or "exec" or "start" ? $"psc-runc {command} failed: {e.Message}" : e.Message);
            return e.ExitCode;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Oci.InvalidSpecException)
        {
            log.Error(command is null ? e.Message : $"psc-runc {command} failed: {e.Message}");
            return 1;
        }
    }
}
