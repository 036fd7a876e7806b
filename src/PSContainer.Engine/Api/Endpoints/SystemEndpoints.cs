using System.Globalization;
using System.Text.Json;
using PSContainer.Api;
using PSContainer.Engine.Api.Http;
using PSContainer.Engine.Core.Events;
using PSContainer.Engine.Daemon;
using static PSContainer.Engine.Api.Endpoints.EndpointHelpers;

namespace PSContainer.Engine.Api.Endpoints;

/// <summary>/_ping, /version, /info, /events, /system/df.</summary>
public sealed class SystemEndpoints(SystemService system, EventExchange events)
{
    public void Map(Router router)
    {
        router
            .Map("GET", "/_ping", PingAsync)
            .Map("HEAD", "/_ping", PingAsync)
            .Map("GET", "/version", VersionAsync)
            .Map("GET", "/info", InfoAsync)
            .Map("GET", "/events", EventsAsync)
            .Map("GET", "/system/df", DiskUsageAsync);
    }

    private static Task PingAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        response.Headers["Cache-Control"] = "no-cache, no-store, must-revalidate";
        response.Headers["Pragma"] = "no-cache";
        response.Headers["Builder-Version"] = "1";
        return response.WriteTextAsync(200, "OK", "text/plain; charset=utf-8", cancellationToken);
    }

    private Task VersionAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken) =>
        response.WriteJsonAsync(200, system.Version(), ApiJsonContext.Default.SystemVersion, cancellationToken);

    private Task InfoAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken) =>
        response.WriteJsonAsync(200, system.Info(events.SubscriberCount), ApiJsonContext.Default.SystemInfo, cancellationToken);

    private Task DiskUsageAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken) =>
        response.WriteJsonAsync(200, system.DiskUsage(), ApiJsonContext.Default.SystemDiskUsage, cancellationToken);

    /// <summary>
    /// JSON lines of events: those since "since" from the history, then live ones until "until"
    /// (or until the client leaves), filtered by type, event, container, image, label, ...
    /// </summary>
    private async Task EventsAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        var since = QueryTime(request, "since");
        var until = QueryTime(request, "until");
        var filters = new EventFilters(QueryFilters.Parse(request));
        using var subscription = events.Subscribe(since ?? (until is not null ? DateTimeOffset.MinValue : null));
        var stream = await response.StartChunkedAsync(200, "application/json", cancellationToken).ConfigureAwait(false);
        foreach (var e in subscription.History)
        {
            if (until is not null && e.Time > until)
            {
                return;
            }
            await WriteEventAsync(stream, e, filters, cancellationToken).ConfigureAwait(false);
        }
        if (until is not null && until <= DateTimeOffset.UtcNow)
        {
            return;
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (until is not null)
        {
            stop.CancelAfter(until.Value - DateTimeOffset.UtcNow);
        }
        try
        {
            await foreach (var e in subscription.Live.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                await WriteEventAsync(stream, e, filters, stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // "until" reached: the stream ends normally.
        }
    }

    private static async Task WriteEventAsync(Stream stream, EngineEvent e, EventFilters filters, CancellationToken cancellationToken)
    {
        if (!filters.Matches(e))
        {
            return;
        }
        var message = ToMessage(e);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(message, ApiJsonContext.Default.EventMessage);
        await stream.WriteAsync((byte[])[.. bytes, (byte)'\n'], cancellationToken).ConfigureAwait(false);
    }

    public static EventMessage ToMessage(EngineEvent e)
    {
        var nanos = (e.Time - DateTimeOffset.UnixEpoch).Ticks * 100;
        var message = new EventMessage
        {
            Type = e.Type,
            Action = e.Action,
            Actor = new EventActor { ID = e.ActorId, Attributes = new Dictionary<string, string>(e.Attributes) },
            Scope = "local",
            Time = e.Time.ToUnixTimeSeconds(),
            TimeNano = nanos,
        };
        if (e.Type == "container")
        {
            message.Status = e.Action;
            message.Id = e.ActorId;
            message.From = e.Attributes.TryGetValue("image", out var image) ? image : null;
        }
        return message;
    }
}

/// <summary>Filters of /events: type, event (action), container, image, label, volume, network, daemon.</summary>
public sealed class EventFilters(Dictionary<string, List<string>> filters)
{
    public bool Matches(EngineEvent e)
    {
        foreach (var (key, values) in filters)
        {
            if (values.Count == 0)
            {
                continue;
            }
            var match = key switch
            {
                "type" => values.Contains(e.Type),
                "event" => values.Any(v => e.Action == v || e.Action.StartsWith(v + ":", StringComparison.Ordinal)),
                "container" => e.Type == "container" && values.Any(v => e.ActorId.StartsWith(v, StringComparison.Ordinal) || Attr(e, "name") == v),
                "image" => values.Any(v => (e.Type == "image" && (e.ActorId == v || Attr(e, "name") == v)) || Attr(e, "image") == v),
                "label" => values.All(v => v.Split('=', 2) is var kv && (kv.Length == 1 ? e.Attributes.ContainsKey(kv[0]) : Attr(e, kv[0]) == kv[1])),
                "volume" => e.Type == "volume" && values.Contains(e.ActorId),
                "network" => e.Type == "network" && values.Contains(e.ActorId),
                "daemon" => e.Type == "daemon",
                "scope" => values.Contains("local"),
                _ => throw Errors.EngineException.InvalidParameter($"invalid filter '{key}'"),
            };
            if (!match)
            {
                return false;
            }
        }
        return true;
    }

    private static string? Attr(EngineEvent e, string key) => e.Attributes.TryGetValue(key, out var v) ? v : null;

    internal static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);
}
