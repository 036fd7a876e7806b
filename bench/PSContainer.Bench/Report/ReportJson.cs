using System.Text.Json;

namespace PSContainer.Bench.Report;

/// <summary>results.json: the run's metadata as bench/run.sh wrote it, every figure with its raw values, the targets, the profile.</summary>
internal static class ReportJson
{
    public static void Write(string path, JsonElement meta, IReadOnlyList<FigureResult> figures, IReadOnlyList<TargetResult> targets,
        IReadOnlyList<Profile> profiles)
    {
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WritePropertyName("meta");
        meta.WriteTo(w);

        w.WriteStartArray("figures");
        foreach (var f in figures)
        {
            w.WriteStartObject();
            w.WriteString("id", f.Figure.Id);
            w.WriteString("number", f.Figure.Number);
            w.WriteString("title", f.Figure.Title);
            w.WriteString("unit", f.Figure.Unit);
            w.WriteString("better", f.Figure.LowerIsBetter ? "lower" : "higher");
            w.WriteString("what", f.Figure.What);
            w.WriteStartObject("systems");
            foreach (var s in f.Systems)
            {
                w.WriteStartObject(s.System);
                if (s.Available)
                {
                    w.WriteNumber("n", s.Count);
                    w.WriteNumber("median", s.Median);
                    w.WriteNumber("min", s.Min);
                    w.WriteNumber("max", s.Max);
                    w.WriteStartArray("values");
                    foreach (var v in s.Values)
                    {
                        w.WriteNumberValue(v);
                    }
                    w.WriteEndArray();
                }
                else
                {
                    w.WriteString("not_available", s.NotAvailable);
                }
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteStartObject("ratio_ours_to");
            foreach (var s in f.Systems.Where(s => s.System != Systems.Ours))
            {
                if (f.Ratio(s.System) is double r)
                {
                    w.WriteNumber(s.System, r);
                }
                else
                {
                    w.WriteNull(s.System);
                }
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("targets");
        foreach (var t in targets)
        {
            w.WriteStartObject();
            w.WriteString("target", t.Target.Text);
            w.WriteString("figure", t.Target.FigureId);
            w.WriteString("against", t.Target.Against);
            w.WriteNumber("limit", t.Target.Limit);
            if (t.Ratio is double r)
            {
                w.WriteNumber("ratio", r);
            }
            else
            {
                w.WriteNull("ratio");
            }
            w.WriteString("status", t.Status);
            w.WriteString("source", t.Target.Source);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartObject("profiles");
        foreach (var profile in profiles)
        {
            w.WriteStartObject(profile.Id);
            w.WriteString("title", profile.Title);
            w.WriteNumber("runs", profile.Runs);
            w.WriteStartArray("steps");
            foreach (var p in profile.Steps)
            {
                w.WriteStartObject();
                w.WriteString("step", p.Step);
                w.WriteString("comp", p.Component);
                w.WriteNumber("median_offset_ms", p.MedianOffsetMs);
                w.WriteNumber("median_delta_ms", p.MedianDeltaMs);
                w.WriteNumber("runs", p.Runs);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
