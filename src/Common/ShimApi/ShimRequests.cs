using System.Text.Json;
using System.Text.Json.Serialization;

namespace PSContainer.ShimApi;

/// <summary>
/// A request to a shim. Every request names its container, so that one shim could later serve a
/// group of containers; today a shim refuses ids other than its own (InvalidArgument). ExecId
/// null means the container's init process. The JSON member "op" selects the request type.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "op")]
[JsonDerivedType(typeof(ConnectRequest), "connect")]
[JsonDerivedType(typeof(CreateRequest), "create")]
[JsonDerivedType(typeof(StartRequest), "start")]
[JsonDerivedType(typeof(StateRequest), "state")]
[JsonDerivedType(typeof(KillRequest), "kill")]
[JsonDerivedType(typeof(ExecRequest), "exec")]
[JsonDerivedType(typeof(ResizePtyRequest), "resizePty")]
[JsonDerivedType(typeof(CloseIORequest), "closeIO")]
[JsonDerivedType(typeof(WaitRequest), "wait")]
[JsonDerivedType(typeof(StatsRequest), "stats")]
[JsonDerivedType(typeof(PauseRequest), "pause")]
[JsonDerivedType(typeof(ResumeRequest), "resume")]
[JsonDerivedType(typeof(UpdateRequest), "update")]
[JsonDerivedType(typeof(PidsRequest), "pids")]
[JsonDerivedType(typeof(DeleteRequest), "delete")]
[JsonDerivedType(typeof(ShutdownRequest), "shutdown")]
[JsonDerivedType(typeof(AttachRequest), "attach")]
[JsonDerivedType(typeof(BindRequest), "bind")]
public abstract record ShimRequest(string ContainerId);

/// <summary>
/// To a spare shim (started ahead of need, serving no container yet; its Connect takes any id):
/// become the shim of this container. The spare moves its log into the bundle, listens on the
/// container's socket (<see cref="ShimPaths.SocketPath"/>) and answers <see cref="BoundResult"/>;
/// from then on it is an ordinary shim and the spare connection is closed. A spare whose spare
/// connection closes before a Bind exits: that is how it never outlives the engine that started it.
/// </summary>
public sealed record BindRequest(string ContainerId, string Bundle, long? LogMaxSize = null, int? LogMaxFiles = null) : ShimRequest(ContainerId);

/// <summary>First request on a connection: checks the protocol version. Answer: <see cref="ConnectResult"/>.</summary>
public sealed record ConnectRequest(string ContainerId, int ProtocolVersion) : ShimRequest(ContainerId);

/// <summary>
/// Creates the container from the shim's bundle (runtime create). Terminal: allocate a pty (the
/// runtime's console socket); OpenStdin: keep a stdin pipe the engine can write to through
/// Attach. LogPath: the json-file log (default &lt;bundle&gt;/container.log); LogMaxSize in bytes
/// (0 = no rotation) and LogMaxFiles override the values given to `psc-shim start`.
/// Answer: <see cref="PidResult"/> (the init pid).
/// </summary>
public sealed record CreateRequest(string ContainerId, bool Terminal = false, bool OpenStdin = false,
    string? LogPath = null, long? LogMaxSize = null, int? LogMaxFiles = null) : ShimRequest(ContainerId);

/// <summary>Starts the init process (runtime start) or an exec added by <see cref="ExecRequest"/>. Answer: <see cref="PidResult"/>.</summary>
public sealed record StartRequest(string ContainerId, string? ExecId = null) : ShimRequest(ContainerId);

/// <summary>Answer: <see cref="StateResult"/>.</summary>
public sealed record StateRequest(string ContainerId, string? ExecId = null) : ShimRequest(ContainerId);

/// <summary>Sends a signal (a number, e.g. 15) to init (runtime kill [--all]) or to an exec process. Answer: <see cref="EmptyResult"/>.</summary>
public sealed record KillRequest(string ContainerId, int Signal, bool All = false, string? ExecId = null) : ShimRequest(ContainerId);

/// <summary>
/// Adds an exec process (not started yet; <see cref="StartRequest"/> with ExecId starts it).
/// Process: an OCI runtime-spec "process" object (args, env, cwd, user, terminal...). Its
/// output goes to Attach readers (not to the container log); output made before the first
/// reader attaches is kept up to 1 MiB and replayed to it. Answer: <see cref="EmptyResult"/>.
/// </summary>
public sealed record ExecRequest(string ContainerId, string ExecId, JsonElement Process,
    bool Terminal = false, bool OpenStdin = false) : ShimRequest(ContainerId);

/// <summary>Sets the pty size of init or an exec (TIOCSWINSZ). Answer: <see cref="EmptyResult"/>.</summary>
public sealed record ResizePtyRequest(string ContainerId, ushort Width, ushort Height, string? ExecId = null) : ShimRequest(ContainerId);

/// <summary>Closes the process's stdin (EOF for a `cat`). Answer: <see cref="EmptyResult"/>.</summary>
public sealed record CloseIORequest(string ContainerId, string? ExecId = null) : ShimRequest(ContainerId);

/// <summary>Blocks until the process has exited and its exit is recorded. Answer: <see cref="ExitResult"/>.</summary>
public sealed record WaitRequest(string ContainerId, string? ExecId = null) : ShimRequest(ContainerId);

/// <summary>Answer: <see cref="StatsResult"/>.</summary>
public sealed record StatsRequest(string ContainerId) : ShimRequest(ContainerId);

/// <summary>Freezes the container (runtime pause). Answer: <see cref="EmptyResult"/>.</summary>
public sealed record PauseRequest(string ContainerId) : ShimRequest(ContainerId);

/// <summary>Thaws the container (runtime resume). Answer: <see cref="EmptyResult"/>.</summary>
public sealed record ResumeRequest(string ContainerId) : ShimRequest(ContainerId);

/// <summary>Resources: an OCI runtime-spec "linux.resources" object (runtime update --resources). Answer: <see cref="EmptyResult"/>.</summary>
public sealed record UpdateRequest(string ContainerId, JsonElement Resources) : ShimRequest(ContainerId);

/// <summary>Answer: <see cref="PidsResult"/>.</summary>
public sealed record PidsRequest(string ContainerId) : ShimRequest(ContainerId);

/// <summary>
/// Deletes a stopped process: an exec's record, or the container (runtime delete). Answer:
/// <see cref="ExitResult"/>.
/// </summary>
public sealed record DeleteRequest(string ContainerId, string? ExecId = null) : ShimRequest(ContainerId);

/// <summary>
/// Ends the shim once the container is deleted (FailedPrecondition before that, unless Now, which
/// exits regardless and leaves the container to `psc-shim delete`). Answer: <see cref="EmptyResult"/>, then the shim exits.
/// </summary>
public sealed record ShutdownRequest(string ContainerId, bool Now = false) : ShimRequest(ContainerId);

/// <summary>
/// Turns this connection into a stream of <see cref="AttachFrameKind"/> frames: live output of
/// the process (Stdout/Stderr as asked), an Exit frame at the end, and Stdin/CloseStdin frames
/// from the client when Stdin is true and the process has an open stdin. Several clients may
/// attach at once. A reader that falls more than 1 MiB behind is disconnected (the log keeps
/// everything). Answer before the stream starts: <see cref="EmptyResult"/>.
/// </summary>
public sealed record AttachRequest(string ContainerId, string? ExecId = null, bool Stdin = false,
    bool Stdout = true, bool Stderr = true) : ShimRequest(ContainerId);
