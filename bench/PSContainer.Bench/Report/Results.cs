namespace PSContainer.Bench.Report;

/// <summary>Median and range of one figure on one system, or why there is none.</summary>
internal sealed record SystemResult(string System, int Count, double Median, double Min, double Max, IReadOnlyList<double> Values, string? NotAvailable)
{
    public bool Available => NotAvailable is null;
}

internal sealed record FigureResult(Figure Figure, IReadOnlyList<SystemResult> Systems)
{
    public SystemResult? Of(string system) => Systems.FirstOrDefault(s => s.System == system);

    /// <summary>ours ÷ theirs of the medians, or null when either side was not measured.</summary>
    public double? Ratio(string against)
    {
        var ours = Of(Report.Systems.Ours);
        var theirs = Of(against);
        return ours is { Available: true } && theirs is { Available: true, Median: > 0 } ? ours.Median / theirs.Median : null;
    }
}

internal sealed record TargetResult(Target Target, double? Ratio, string Status);

/// <summary>Turns the raw samples into medians, ratios and target verdicts.</summary>
internal static class Results
{
    public const string Met = "met";
    public const string NotMet = "not met";
    public const string NotMeasured = "not measured";

    /// <param name="parameters">values for the {name} placeholders of the catalog's texts (counts, image name).</param>
    public static List<FigureResult> Compute(Dictionary<(string Figure, string System), Measurement> samples, IReadOnlyDictionary<string, string> parameters)
    {
        var figures = new List<FigureResult>();
        foreach (var template in FigureCatalog.Figures)
        {
            var figure = template with { Title = Fill(template.Title, parameters), What = Fill(template.What, parameters) };
            var systems = new List<SystemResult>();
            foreach (var system in figure.Systems)
            {
                if (!samples.TryGetValue((figure.Id, system), out var m))
                {
                    systems.Add(new SystemResult(system, 0, 0, 0, 0, [], "not measured in this run"));
                }
                else if (!m.HasValues)
                {
                    systems.Add(new SystemResult(system, 0, 0, 0, 0, [], m.NotAvailable ?? "no values recorded"));
                }
                else
                {
                    systems.Add(new SystemResult(system, m.Values.Count, Statistics.Median(m.Values), m.Values.Min(), m.Values.Max(), m.Values, null));
                }
            }
            figures.Add(new FigureResult(figure, systems));
        }
        return figures;
    }

    private static string Fill(string text, IReadOnlyDictionary<string, string> parameters)
    {
        foreach (var (name, value) in parameters)
        {
            text = text.Replace("{" + name + "}", value, StringComparison.Ordinal);
        }
        return text;
    }

    public static List<TargetResult> Judge(IReadOnlyList<FigureResult> figures)
    {
        var verdicts = new List<TargetResult>();
        foreach (var target in FigureCatalog.Targets)
        {
            var figure = figures.Single(f => f.Figure.Id == target.FigureId);
            var ratio = figure.Ratio(target.Against);
            var status = ratio switch
            {
                null => NotMeasured,
                double r when figure.Figure.LowerIsBetter => r <= target.Limit ? Met : NotMet,
                double r => r >= target.Limit ? Met : NotMet,
            };
            verdicts.Add(new TargetResult(target, ratio, status));
        }
        return verdicts;
    }
}
