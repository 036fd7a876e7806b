using System.Globalization;
using System.Text;
using System.Text.Json;

namespace PSContainer.Bench.Report;

/// <summary>results.md: the figures table, the targets table, the startup profile, and what each figure runs.</summary>
internal static class ReportMarkdown
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static string Render(JsonElement meta, IReadOnlyList<FigureResult> figures, IReadOnlyList<TargetResult> targets,
        IReadOnlyList<Profile> profiles)
    {
        var md = new StringBuilder();
        md.AppendLine(C, $"Measured {Meta(meta, "started")} on {Meta(meta, "machine")}; commit {Meta(meta, "commit")}.");
        var smoke = Meta(meta, "smoke") == "true" ? " **Smoke run (one iteration): the numbers are not meaningful.**" : "";
        md.AppendLine(C, $"Each figure: {Meta(meta, "warmup")} warm-up + {Meta(meta, "runs")} measured runs per system, systems interleaved in rotating order; "
            + $"cells are **median** (min–max). Ratio = ours ÷ theirs of the medians: below 1 is better for times and memory, above 1 for request rates.{smoke}");
        md.AppendLine(C, $"Versions: {Meta(meta, "versions")}.");
        if (meta.TryGetProperty("load", out var load) && load.GetString() is { Length: > 0 } loadText)
        {
            md.AppendLine(C, $"Load average (1, 5, 15 min): {loadText}.");
        }
        if (meta.TryGetProperty("note", out var note) && note.GetString() is { Length: > 0 } noteText)
        {
            md.AppendLine(C, $"**Note:** {noteText}");
        }
        md.AppendLine();

        var columns = Systems.All.Where(s => figures.Any(f => f.Figure.Systems.Contains(s))).ToArray();
        md.Append("| # | figure | unit | better |");
        foreach (var s in columns)
        {
            md.Append(C, $" {Systems.Headers[s]} |");
        }
        md.AppendLine(" ours ÷ theirs |");
        md.Append("|---|---|---|---|");
        md.Append(string.Concat(Enumerable.Repeat("---|", columns.Length)));
        md.AppendLine("---|");
        var reasons = new List<string>(); // "not available" reasons, each listed once under the table
        var runs = int.TryParse(Meta(meta, "runs"), out var parsedRuns) ? parsedRuns : 0;
        foreach (var f in figures)
        {
            md.Append(C, $"| {f.Figure.Number} | {f.Figure.Title} | {f.Figure.Unit} | {(f.Figure.LowerIsBetter ? "lower" : "higher")} |");
            foreach (var column in columns)
            {
                md.Append(' ').Append(Cell(f.Of(column), runs, reasons)).Append(" |");
            }
            var ratios = f.Figure.Systems.Where(s => s != Systems.Ours)
                .Select(s => f.Ratio(s) is double r ? string.Create(C, $"{r:F2}× {s}") : $"— {s}");
            md.AppendLine(C, $" {string.Join(", ", ratios)} |");
        }
        if (reasons.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("Not available:");
            md.AppendLine();
            for (var i = 0; i < reasons.Count; i++)
            {
                md.AppendLine(C, $"- [{i + 1}] {reasons[i]}");
            }
        }
        md.AppendLine();

        md.AppendLine("| target (issue) | ratio | status |");
        md.AppendLine("|---|---|---|");
        foreach (var t in targets)
        {
            var ratio = t.Ratio is double r ? string.Create(C, $"{r:F2}×") : "—";
            var status = t.Status == Results.NotMet ? "**not met**" : t.Status;
            md.AppendLine(C, $"| {t.Target.Text} ({t.Target.Source}) | {ratio} | {status} |");
        }
        md.AppendLine();

        foreach (var profile in profiles)
        {
            md.AppendLine(C, $"Startup profile of {profile.Title} (PSC_TRACE_FILE, median over {profile.Runs} traced runs):");
            md.AppendLine();
            if (profile.IsEmpty)
            {
                md.AppendLine("not available: no component wrote trace steps (PSC_TRACE_FILE; see bench/README.md).");
            }
            else
            {
                md.AppendLine("| step | component | at ms | +ms since previous step |");
                md.AppendLine("|---|---|---|---|");
                foreach (var p in profile.Steps)
                {
                    md.AppendLine(C, $"| {p.Step} | {p.Component} | {p.MedianOffsetMs:F1} | {p.MedianDeltaMs:F1} |");
                }
            }
            md.AppendLine();
        }

        md.AppendLine("What each figure runs:");
        md.AppendLine();
        foreach (var f in figures)
        {
            md.AppendLine(C, $"- {f.Figure.Number}: {f.Figure.What}.");
        }
        return md.ToString();
    }

    /// <summary>"**median** (min–max)", with n when it differs from the run's count; "n/a [k]" pointing to the reason list.</summary>
    private static string Cell(SystemResult? s, int runs, List<string> reasons)
    {
        if (s is null)
        {
            return "";
        }
        if (!s.Available)
        {
            var reason = s.NotAvailable ?? "";
            var index = reasons.IndexOf(reason);
            if (index < 0)
            {
                reasons.Add(reason);
                index = reasons.Count - 1;
            }
            return string.Create(C, $"n/a [{index + 1}]");
        }
        var n = s.Count != runs ? string.Create(C, $", n={s.Count}") : "";
        return s.Count == 1
            ? Number(s.Median) + (n.Length > 0 ? " (n=1)" : "")
            : $"**{Number(s.Median)}** ({Number(s.Min)}–{Number(s.Max)}{n})";
    }

    /// <summary>Three significant digits or so: 0.512, 4.87, 12.3, 1520.</summary>
    public static string Number(double v) => Math.Abs(v) switch
    {
        >= 100 => v.ToString("F0", C),
        >= 10 => v.ToString("F1", C),
        >= 1 => v.ToString("F2", C),
        _ => v.ToString("F3", C),
    };

    private static string Meta(JsonElement meta, string name)
    {
        if (!meta.TryGetProperty(name, out var value))
        {
            return "?";
        }
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() ?? "",
            JsonValueKind.Object => string.Join(", ", value.EnumerateObject().Select(p => $"{p.Name} {p.Value}")),
            _ => value.ToString(),
        };
    }
}
