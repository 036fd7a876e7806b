namespace PSContainer.Bench.Report;

/// <summary>The systems a figure can compare; "ours" is always the numerator of a ratio.</summary>
internal static class Systems
{
    public const string Ours = "ours";
    public static readonly string[] All = [Ours, "docker", "podman", "runc"];
    public static readonly IReadOnlyDictionary<string, string> Headers = new Dictionary<string, string>
    {
        [Ours] = "PSContainer",
        ["docker"] = "docker (dockerd + containerd)",
        ["podman"] = "podman + runc",
        ["runc"] = "runc",
    };
}

/// <summary>One measured quantity and the systems it is measured on, in the order of the table.</summary>
/// <param name="Systems">the systems measured; "ours" first.</param>
/// <param name="What">one line on what exactly runs, shown under the table.</param>
internal sealed record Figure(string Id, string Number, string Title, string Unit, bool LowerIsBetter, string[] Systems, string What);

/// <summary>
/// A goal from the issues, as a bound on the ratio ours ÷ theirs of one figure's medians:
/// at most <see cref="Limit"/> when lower is better, at least it when higher is better.
/// </summary>
internal sealed record Target(string Text, string FigureId, string Against, double Limit, string Source);
