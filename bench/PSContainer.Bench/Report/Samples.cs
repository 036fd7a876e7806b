using System.Text.Json;

namespace PSContainer.Bench.Report;

/// <summary>What was recorded for one figure on one system: values, or why it could not be measured.</summary>
internal sealed class Measurement
{
    public List<double> Values { get; } = [];

    /// <summary>Set when the system was not available for this figure; the first reason wins.</summary>
    public string? NotAvailable { get; set; }

    public bool HasValues => Values.Count > 0 && NotAvailable is null;
}

/// <summary>
/// The samples file bench/run.sh appends to, one JSON object per line:
/// {"figure":ID,"system":SYS,"value":NUMBER} or {"figure":ID,"system":SYS,"na":"reason"}.
/// </summary>
internal static class Samples
{
    public static Dictionary<(string Figure, string System), Measurement> Read(string path)
    {
        var result = new Dictionary<(string, string), Measurement>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            try
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                var key = (root.GetProperty("figure").GetString() ?? "", root.GetProperty("system").GetString() ?? "");
                if (!result.TryGetValue(key, out var m))
                {
                    result[key] = m = new Measurement();
                }
                if (root.TryGetProperty("na", out var na))
                {
                    m.NotAvailable ??= na.GetString();
                }
                else
                {
                    m.Values.Add(root.GetProperty("value").GetDouble());
                }
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"{path}:{lineNumber}: not a sample line ({e.Message}): {line}", e);
            }
        }
        return result;
    }
}
