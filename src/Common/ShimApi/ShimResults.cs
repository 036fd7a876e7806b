using System.Text.Json;
using System.Text.Json.Serialization;

namespace PSContainer.ShimApi;

/// <summary>One response: exactly one of Result and Error is set.</summary>
public sealed record ShimResponse(ShimResult? Result, ShimError? Error = null);

/// <summary>The success half of a response; the JSON member "kind" selects the type.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(EmptyResult), "empty")]
[JsonDerivedType(typeof(ConnectResult), "connect")]
[JsonDerivedType(typeof(PidResult), "pid")]
[JsonDerivedType(typeof(StateResult), "state")]
[JsonDerivedType(typeof(ExitResult), "exit")]
[JsonDerivedType(typeof(StatsResult), "stats")]
[JsonDerivedType(typeof(PidsResult), "pids")]
[JsonDerivedType(typeof(BoundResult), "bound")]
public abstract record ShimResult;

/// <summary>Answer to <see cref="BindRequest"/>: the container's shim address ("unix:///...").</summary>
public sealed record BoundResult(string Address) : ShimResult;

public sealed record EmptyResult : ShimResult;

/// <summary>ShimPid: the server's pid; TaskPid: the container's init pid, 0 before create.</summary>
public sealed record ConnectResult(int ShimPid, int ProtocolVersion, int TaskPid, string ShimVersion) : ShimResult;

public sealed record PidResult(int Pid) : ShimResult;

/// <summary>The life-cycle states of a container or exec process.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ProcessStatus>))]
public enum ProcessStatus
{
    /// <summary>Create (or Exec) done, not started.</summary>
    Created,
    Running,
    Paused,
    /// <summary>Exited; the exit is recorded.</summary>
    Stopped,
    /// <summary>Deleted from the runtime; only the record is left.</summary>
    Deleted,
}

/// <summary>ExitCode and ExitedAt are set once Status is Stopped.</summary>
public sealed record StateResult(string ContainerId, string? ExecId, int Pid, ProcessStatus Status, string Bundle,
    bool Terminal, bool OpenStdin, int? ExitCode, DateTimeOffset? ExitedAt, bool OomKilled) : ShimResult;

/// <summary>ExitCode: the code, or 128 + signal (137 for SIGKILL); OomKilled from the cgroup's memory events.</summary>
public sealed record ExitResult(int Pid, int ExitCode, DateTimeOffset ExitedAt, bool OomKilled) : ShimResult;

/// <summary>Data: the "data" object of `runtime events --stats` (cpu, memory, pids, blkio, hugetlb...).</summary>
public sealed record StatsResult(JsonElement Data) : ShimResult;

public sealed record ProcessInfo(int Pid, string? ExecId);

public sealed record PidsResult(IReadOnlyList<ProcessInfo> Processes) : ShimResult;

/// <summary>The frame kinds on an attach connection: [kind: 1 byte][length: 4 bytes big-endian][payload].</summary>
public enum AttachFrameKind : byte
{
    /// <summary>Client → shim: bytes for the process's stdin (or pty).</summary>
    Stdin = 0,
    /// <summary>Shim → client: process output (all output, for a terminal).</summary>
    Stdout = 1,
    Stderr = 2,
    /// <summary>Shim → client, last frame: payload is an <see cref="ExitResult"/> in JSON.</summary>
    Exit = 3,
    /// <summary>Client → shim: close the process's stdin. No payload.</summary>
    CloseStdin = 4,
}
