using PSContainer.Module.Client;

namespace PSContainer.Module.Core;

public enum CompletionKind
{
    Container,
    RunningContainer,
    Image,
    Volume,
    Network,
}

/// <summary>One completion candidate.</summary>
public sealed record CompletionCandidate(string Text, string ToolTip);

/// <summary>
/// The engine side of tab completion, without PowerShell types: names that start with the word
/// typed (case-insensitive, wildcards allowed), sorted, within a timeout, and an empty list on
/// any failure (no engine, timeout, bad endpoint).
/// </summary>
public static class CompletionSource
{
    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromSeconds(2);

    public static IReadOnlyList<CompletionCandidate> Complete(CompletionKind kind, string? endpoint, string word, TimeSpan timeout)
    {
        try
        {
            using var cancel = new CancellationTokenSource(timeout);
            using var client = new EngineClient(EngineEndpoint.Resolve(endpoint, Environment.GetEnvironmentVariable), timeout);
            var task = CandidatesAsync(client, kind, cancel.Token);
            if (!task.Wait(timeout))
            {
                return [];
            }
            var pattern = (word ?? "").Trim('\'', '"');
            pattern = Wildcard.ContainsWildcard(pattern) ? pattern : pattern + "*";
            return task.Result
                .Where(c => Wildcard.IsMatch(c.Text, pattern))
                .DistinctBy(c => c.Text)
                .OrderBy(c => c.Text, StringComparer.OrdinalIgnoreCase)
                .ToList();
        }
        catch (Exception e) when (e is EngineException or AggregateException or OperationCanceledException or ArgumentException or IOException or HttpRequestException)
        {
            return [];
        }
    }

    private static async Task<List<CompletionCandidate>> CandidatesAsync(EngineClient client, CompletionKind kind, CancellationToken cancellationToken)
    {
        switch (kind)
        {
            case CompletionKind.Container:
            case CompletionKind.RunningContainer:
                var containers = await client.ListContainersAsync(kind == CompletionKind.Container, null, cancellationToken).ConfigureAwait(false);
                return containers.Select(c => ContainerConverter.FromSummary(c, ""))
                    .Select(c => new CompletionCandidate(c.Name, $"{c.ShortId} {c.Image} ({c.Status})"))
                    .ToList();
            case CompletionKind.Image:
                var images = await client.ListImagesAsync(false, null, cancellationToken).ConfigureAwait(false);
                return images.SelectMany(i => ImageConverter.FromSummary(i, ""))
                    .Where(i => i.Repository != ContainerImage.None)
                    .Select(i => new CompletionCandidate(i.Reference, $"{i.ShortId} {ProgressAggregator.FormatBytes(i.Size)}"))
                    .ToList();
            case CompletionKind.Volume:
                var volumes = await client.ListVolumesAsync(null, cancellationToken).ConfigureAwait(false);
                return volumes.Select(v => new CompletionCandidate(v.Name, $"{v.Driver} {v.Mountpoint}")).ToList();
            default:
                var networks = await client.ListNetworksAsync(null, cancellationToken).ConfigureAwait(false);
                return networks.Select(n => new CompletionCandidate(n.Name, $"{Ids.Short(n.Id)} {n.Driver}")).ToList();
        }
    }
}
