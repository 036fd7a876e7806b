namespace PSContainer.Engine.Api.Http;

public delegate Task RequestHandler(HttpRequest request, HttpResponse response, CancellationToken cancellationToken);

/// <summary>
/// Maps (method, path template) to handlers. A template segment "{id}" captures one path segment;
/// "{name*}" captures one or more (image references contain slashes: /images/a/b:c/json). The first
/// registered match wins, so register specific templates before general ones.
/// </summary>
public sealed class Router
{
    private readonly List<Route> _routes = [];

    public Router Map(string method, string template, RequestHandler handler)
    {
        _routes.Add(new Route(method, Parse(template), handler));
        return this;
    }

    /// <summary>The handler for the request, or null; <paramref name="pathKnown"/> tells 405 from 404.</summary>
    public RequestHandler? Match(string method, string path, out Dictionary<string, string> values, out bool pathKnown)
    {
        var segments = Split(path);
        pathKnown = false;
        foreach (var route in _routes)
        {
            var captured = new Dictionary<string, string>(StringComparer.Ordinal);
            if (!MatchFrom(route.Segments, 0, segments, 0, captured))
            {
                continue;
            }
            pathKnown = true;
            // HEAD is answered by a GET handler when no HEAD route exists (the response omits the body).
            if (route.Method == method || (method == "HEAD" && route.Method == "GET" && !HasExplicitHead(path)))
            {
                values = captured;
                return route.Handler;
            }
        }
        values = [];
        return null;
    }

    private bool HasExplicitHead(string path)
    {
        var segments = Split(path);
        return _routes.Any(r => r.Method == "HEAD" && MatchFrom(r.Segments, 0, segments, 0, []));
    }

    private static bool MatchFrom(TemplateSegment[] template, int ti, string[] path, int pi, Dictionary<string, string> captured)
    {
        if (ti == template.Length)
        {
            return pi == path.Length;
        }
        var segment = template[ti];
        if (segment.Kind == SegmentKind.Literal)
        {
            return pi < path.Length && path[pi] == segment.Text && MatchFrom(template, ti + 1, path, pi + 1, captured);
        }
        if (segment.Kind == SegmentKind.One)
        {
            if (pi >= path.Length || path[pi].Length == 0)
            {
                return false;
            }
            captured[segment.Text] = path[pi];
            return MatchFrom(template, ti + 1, path, pi + 1, captured);
        }
        // Greedy: take as many segments as possible while the rest of the template still matches.
        for (var end = path.Length; end > pi; end--)
        {
            if (MatchFrom(template, ti + 1, path, end, captured))
            {
                captured[segment.Text] = string.Join('/', path[pi..end]);
                return true;
            }
        }
        return false;
    }

    private static string[] Split(string path) =>
        path.Trim('/').Length == 0 ? [] : path.Trim('/').Split('/');

    private static TemplateSegment[] Parse(string template) =>
        Split(template).Select(s =>
            s.StartsWith('{') && s.EndsWith("*}", StringComparison.Ordinal) ? new TemplateSegment(SegmentKind.Many, s[1..^2]) :
            s.StartsWith('{') && s.EndsWith('}') ? new TemplateSegment(SegmentKind.One, s[1..^1]) :
            new TemplateSegment(SegmentKind.Literal, s)).ToArray();

    private enum SegmentKind { Literal, One, Many }

    private sealed record TemplateSegment(SegmentKind Kind, string Text);

    private sealed record Route(string Method, TemplateSegment[] Segments, RequestHandler Handler);
}
