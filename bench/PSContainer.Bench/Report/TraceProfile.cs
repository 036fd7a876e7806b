using System.Text.Json;

namespace PSContainer.Bench.Report;

/// <summary>One step of the startup profile: when it happens after the client started, as a median over the traced runs.</summary>
internal sealed record ProfileStep(string Step, string Component, double MedianOffsetMs, double MedianDeltaMs, int Runs);

/// <summary>The steps of one traced operation; empty when no component wrote any.</summary>
internal sealed record Profile(string Id, string Title, IReadOnlyList<ProfileStep> Steps, int Runs)
{
    /// <summary>Only the harness's own client.start/client.exit marks: nothing to show.</summary>
    public bool IsEmpty => Steps.All(s => s.Step is "client.start" or "client.exit");
}

/// <summary>
/// Reads the PSC_TRACE_FILE lines ({"t": unix ns, "step": name, "comp": component, ...}) that the
/// components and bench/run.sh write during the traced `run`s. Each traced run begins with the
/// harness's "client.start" line; every line up to the next "client.start" belongs to that run.
/// A step's offset is its time minus that run's client.start (the first occurrence of a step in a
/// run counts); the table lists steps by median offset, with the gap from the step before.
/// </summary>
internal static class TraceProfile
{
    public static (List<ProfileStep> Steps, int Runs) Read(string path)
    {
        var runs = new List<List<(string Step, string Comp, long T)>>();
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            string step, comp;
            long t;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                t = root.GetProperty("t").GetInt64();
                step = root.GetProperty("step").GetString() ?? "";
                comp = root.TryGetProperty("comp", out var c) ? c.GetString() ?? "" : "";
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                continue; // a torn or foreign line must not sink the report; the profile is best effort
            }
            if (step == "client.start")
            {
                runs.Add([]);
            }
            if (runs.Count > 0)
            {
                runs[^1].Add((step, comp, t));
            }
        }

        var offsets = new Dictionary<string, (string Comp, List<double> Ms)>(StringComparer.Ordinal);
        foreach (var run in runs)
        {
            var start = run[0].T;
            foreach (var (step, comp, t) in run.DistinctBy(e => e.Step))
            {
                if (!offsets.TryGetValue(step, out var entry))
                {
                    offsets[step] = entry = (comp, []);
                }
                entry.Ms.Add((t - start) / 1e6);
            }
        }
        var ordered = offsets.Select(kv => (Step: kv.Key, kv.Value.Comp, Median: Statistics.Median(kv.Value.Ms), Runs: kv.Value.Ms.Count))
            .OrderBy(s => s.Median).ToList();
        var steps = new List<ProfileStep>();
        var previous = 0.0;
        foreach (var s in ordered)
        {
            steps.Add(new ProfileStep(s.Step, s.Comp, s.Median, s.Median - previous, s.Runs));
            previous = s.Median;
        }
        return (steps, runs.Count);
    }
}
