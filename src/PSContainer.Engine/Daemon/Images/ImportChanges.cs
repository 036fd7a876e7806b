using System.Text.Json;
using PSContainer.Engine.Errors;
using PSContainer.Oci;

namespace PSContainer.Engine.Daemon.Images;

/// <summary>The Dockerfile instructions `docker import --change` accepts, applied to an image config.</summary>
public static class ImportChanges
{
    public static void Apply(ImageRuntimeConfig config, string change)
    {
        var space = change.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0)
        {
            throw EngineException.InvalidParameter($"invalid --change \"{change}\": expected INSTRUCTION arguments");
        }
        var instruction = change[..space].ToUpperInvariant();
        var argument = change[(space + 1)..].Trim();
        switch (instruction)
        {
            case "CMD": config.Cmd = Command(argument); break;
            case "ENTRYPOINT": config.Entrypoint = Command(argument); break;
            case "WORKDIR": config.WorkingDir = argument; break;
            case "USER": config.User = argument; break;
            case "STOPSIGNAL": config.StopSignal = argument; break;
            case "ENV":
                var eq = argument.IndexOf('=', StringComparison.Ordinal);
                var pair = eq > 0 ? argument : string.Join('=', argument.Split(' ', 2));
                config.Env = [.. config.Env ?? [], pair];
                break;
            case "LABEL":
                var kv = argument.Split('=', 2);
                config.Labels ??= [];
                config.Labels[kv[0].Trim('"')] = kv.Length > 1 ? kv[1].Trim('"') : "";
                break;
            case "EXPOSE":
                config.ExposedPorts ??= [];
                foreach (var port in argument.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    config.ExposedPorts[port.Contains('/', StringComparison.Ordinal) ? port : port + "/tcp"] = new Oci.EmptyObject();
                }
                break;
            default:
                throw EngineException.InvalidParameter($"{instruction} is not a valid change command");
        }
    }

    /// <summary>JSON form ["a", "b"] or shell form (run by /bin/sh -c).</summary>
    private static List<string> Command(string argument)
    {
        if (argument.StartsWith('['))
        {
            try
            {
                using var document = JsonDocument.Parse(argument);
                return [.. document.RootElement.EnumerateArray().Select(e => e.GetString() ?? "")];
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                throw EngineException.InvalidParameter($"invalid JSON array in change: {argument}", e);
            }
        }
        return ["/bin/sh", "-c", argument];
    }
}
