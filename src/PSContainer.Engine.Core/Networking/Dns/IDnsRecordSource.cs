using System.Net;

namespace PSContainer.Engine.Core.Networking.Dns;

/// <summary>
/// The names the embedded server answers itself, seen from one container: the daemon's network
/// service implements it from its endpoints (container names, network aliases, 12-character id
/// prefixes on the networks the asking container shares). Called for every query, from any thread:
/// implementations must be thread-safe and must not block on I/O.
/// </summary>
public interface IDnsRecordSource
{
    /// <summary>
    /// The addresses <paramref name="name"/> (lower case, no trailing dot) has for the asking
    /// container; empty when the name is not a container name here (the server then forwards it).
    /// </summary>
    IReadOnlyList<IPAddress> Lookup(string askingContainerId, string name);

    /// <summary>The name for a container address on a shared network (e.g. "web.appnet"), or null.</summary>
    string? ReverseLookup(string askingContainerId, IPAddress address);
}

/// <summary>Sends a query that is not answered locally to upstream resolvers.</summary>
public interface IDnsForwarder
{
    /// <summary>True when there is at least one upstream (sets RA in local answers).</summary>
    bool HasUpstreams { get; }

    /// <summary>The upstream's response to <paramref name="query"/> (same id), or null when none answered in time.</summary>
    ValueTask<byte[]?> ForwardAsync(ReadOnlyMemory<byte> query, bool overTcp, CancellationToken cancellationToken);
}
