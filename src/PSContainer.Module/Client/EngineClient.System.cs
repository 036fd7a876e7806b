using System.Runtime.CompilerServices;
using PSContainer.Api;

namespace PSContainer.Module.Client;

public sealed partial class EngineClient
{
    public Task<SystemVersion> VersionAsync(CancellationToken cancellationToken) =>
        GetJsonAsync("/version", Json.SystemVersion, EngineResource.Engine, null, cancellationToken);

    public Task<SystemInfo> InfoAsync(CancellationToken cancellationToken) =>
        GetJsonAsync("/info", Json.SystemInfo, EngineResource.Engine, null, cancellationToken);

    /// <summary>GET /events: past events between since and until, then (without until) live ones until cancelled.</summary>
    public async IAsyncEnumerable<EventMessage> EventsAsync(string? since, string? until, IReadOnlyDictionary<string, IReadOnlyList<string>>? filters,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get,
            new QueryString("/events").Add("since", since).Add("until", until).AddFilters(filters).ToString(),
            null, EngineResource.Engine, null, cancellationToken, streaming: true).ConfigureAwait(false);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var message in JsonLinesReader.ReadAsync(body, Json.EventMessage, cancellationToken).ConfigureAwait(false))
        {
            yield return message;
        }
    }
}
