using System.Text.Json.Serialization;

namespace PSContainer.ShimApi;

[JsonConverter(typeof(JsonStringEnumConverter<ShimEventType>))]
public enum ShimEventType
{
    TaskCreate,
    TaskStart,
    /// <summary>Sent after the exit is written to the bundle's exit file.</summary>
    TaskExit,
    TaskDelete,
    ExecAdded,
    ExecStarted,
    ExecExit,
    /// <summary>The container's cgroup counted an OOM kill; sent before the TaskExit it caused.</summary>
    TaskOOM,
}

/// <summary>
/// An event from a shim to the engine's events socket. Sequence counts from 1 per shim instance
/// (ShimPid) and follows the order the events happened in: TaskCreate → TaskStart → (TaskOOM) →
/// TaskExit → TaskDelete, exec events in between. Delivery is at least once: the shim resends
/// events it has no <see cref="ShimEventAck"/> for after a reconnect; <see cref="ShimEventListener"/>
/// drops the repeats.
/// </summary>
public sealed record ShimEvent(long Sequence, ShimEventType Type, string ContainerId, int ShimPid, DateTimeOffset Timestamp,
    string? ExecId = null, int? Pid = null, int? ExitCode = null, DateTimeOffset? ExitedAt = null, bool OomKilled = false);

/// <summary>The engine's answer to each event frame: the sequence number it has handled.</summary>
public sealed record ShimEventAck(long Sequence);
