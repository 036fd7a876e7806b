using System.Text;

namespace PSContainer.Module.Tests.FakeEngine;

/// <summary>A request the fake engine received, with the API version prefix split off the path.</summary>
public sealed class FakeRequest
{
    public required string Method { get; init; }
    /// <summary>The path without "/v1.xx" (e.g. /containers/json).</summary>
    public required string Path { get; init; }
    /// <summary>The version from the path ("1.43"), or null for unversioned paths such as /_ping.</summary>
    public string? ApiVersion { get; init; }
    public required string RawTarget { get; init; }
    public required IReadOnlyDictionary<string, List<string>> Query { get; init; }
    public required IReadOnlyDictionary<string, string> Headers { get; init; }
    public required byte[] Body { get; init; }

    public string BodyText => Encoding.UTF8.GetString(Body);

    public string? QueryValue(string name) => Query.TryGetValue(name, out var values) ? values[^1] : null;
}
