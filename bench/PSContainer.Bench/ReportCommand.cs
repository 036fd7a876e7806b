using System.Text.Json;
using PSContainer.Bench.Report;

namespace PSContainer.Bench;

/// <summary>Writes results.json and results.md from the samples, the run's metadata and the trace file.</summary>
internal static class ReportCommand
{
    public static int Run(Options options)
    {
        var samplesPath = options.Required("samples");
        var metaPath = options.Required("meta");
        var tracePath = options.Optional("trace");
        var runtimeTracePath = options.Optional("runtime-trace");
        var outDir = options.Required("out");

        var samples = Samples.Read(samplesPath);
        using var meta = JsonDocument.Parse(File.ReadAllText(metaPath));
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        if (meta.RootElement.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in p.EnumerateObject())
            {
                parameters[property.Name] = property.Value.ToString();
            }
        }
        var figures = Results.Compute(samples, parameters);
        var targets = Results.Judge(figures);
        var profiles = new List<Profile>
        {
            ReadProfile("engine", "our `docker run --rm busybox true` through psc-engine", tracePath),
            ReadProfile("runtime", "`psc-runc run` of busybox `true` alone", runtimeTracePath),
        };

        Directory.CreateDirectory(outDir);
        ReportJson.Write(Path.Combine(outDir, "results.json"), meta.RootElement, figures, targets, profiles);
        File.WriteAllText(Path.Combine(outDir, "results.md"), ReportMarkdown.Render(meta.RootElement, figures, targets, profiles));
        return 0;
    }

    private static Profile ReadProfile(string id, string title, string? path)
    {
        if (path is null || !File.Exists(path))
        {
            return new Profile(id, title, [], 0);
        }
        var (steps, runs) = TraceProfile.Read(path);
        return new Profile(id, title, steps, runs);
    }
}
