namespace PSContainer.Engine.Daemon.Streams;

/// <summary>The query of GET /containers/{id}/logs.</summary>
/// <param name="Tail">Lines from the end; null: all.</param>
public sealed record LogOptions(bool Stdout, bool Stderr, bool Timestamps, bool Follow, int? Tail, DateTimeOffset? Since, DateTimeOffset? Until);

/// <summary>One line of the json-file log.</summary>
public sealed record LogEntry(StdStream Stream, DateTimeOffset Time, string RawTime, byte[] Line);
