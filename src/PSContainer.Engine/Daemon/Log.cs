using Microsoft.Extensions.Logging;

namespace PSContainer.Engine.Daemon;

/// <summary>The daemon's log messages (source-generated, so a disabled level costs nothing).</summary>
internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "container {Id}: cleanup: {Error}")]
    public static partial void CleanupFailed(ILogger logger, string id, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "snapshot {Key}: remove failed: {Error}")]
    public static partial void SnapshotRemoveFailed(ILogger logger, string key, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "container {Id}: waiting for the exit failed: {Error}")]
    public static partial void WaitFailed(ILogger logger, string id, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "container {Id}: auto-remove failed: {Error}")]
    public static partial void AutoRemoveFailed(ILogger logger, string id, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "container {Id}: restart failed: {Error}")]
    public static partial void RestartFailed(ILogger logger, string id, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "container {Id}: attach: {Error}")]
    public static partial void AttachFailed(ILogger logger, string id, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "container {Id}: reconnected to its shim, task pid {Pid}")]
    public static partial void Reconnected(ILogger logger, string id, int pid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "container {Id}: health check: {Error}")]
    public static partial void HealthcheckFailed(ILogger logger, string id, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "container {Id}: exec {ExecId}: {Error}")]
    public static partial void ExecFailed(ILogger logger, string id, string execId, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "container {Id}: started: bundle {Bundle:F1} ms, shim start {Shim:F1} ms, task create {Create:F1} ms, task start {Start:F1} ms")]
    public static partial void StartTimings(ILogger logger, string id, double bundle, double shim, double create, double start);

    [LoggerMessage(Level = LogLevel.Information, Message = "container {Id}: shim reports {Status}, pid {Pid}, exit {ExitCode}")]
    public static partial void RecoveredState(ILogger logger, string id, string status, int pid, int? exitCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "container {Id}: no shim answers: {Reason}")]
    public static partial void ShimGone(ILogger logger, string id, string reason);
}
