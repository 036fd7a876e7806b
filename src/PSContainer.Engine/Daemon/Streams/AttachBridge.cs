using PSContainer.Engine.Api.Http;
using PSContainer.ShimApi;

namespace PSContainer.Engine.Daemon.Streams;

/// <summary>What a client asked to attach to; with a tty and stdin, <paramref name="DetachKeys"/> ends the attach (null: never).</summary>
public sealed record AttachOptions(bool Stdin, bool Stdout, bool Stderr, bool Tty, bool CloseStdinOnEof, byte[]? DetachKeys = null);

/// <summary>How an attach ended: the process's exit, if that ended it, or the client's detach sequence.</summary>
public sealed record AttachOutcome(ExitResult? Exit, bool Detached);

/// <summary>An attach that waits for the container's task to exist (docker run attaches, then starts).</summary>
public sealed class PendingAttach(HijackedConnection connection, AttachOptions options)
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public HijackedConnection Connection { get; } = connection;

    public AttachOptions Options { get; } = options;

    /// <summary>Completes when the stream ended (the process exited, or the client left).</summary>
    public Task Completion => _done.Task;

    public void Complete() => _done.TrySetResult();
}

/// <summary>
/// Joins a client's hijacked connection to a shim attach session: output frames go to the client
/// (multiplexed, or raw for a tty), the client's bytes go to the process's stdin, and the end of
/// the client's input closes stdin when asked (docker run -i, exec -i; never with a tty, as in
/// dockerd). The close travels as a frame on the same stream as the data, so the process reads
/// every byte before its EOF (a CloseIO request on another connection could overtake data still
/// in flight). The bridge ends when the
/// process exits (the shim's Exit frame), the client disconnects, or (tty only, as in Docker) the
/// client types the detach sequence: then the stream ends and the process keeps running with its
/// stdin open.
/// </summary>
public static class AttachBridge
{
    public static async Task<AttachOutcome> RunAsync(ShimAttachSession session, HijackedConnection connection, AttachOptions options,
        CancellationToken cancellationToken)
    {
        var writer = new StdStreamWriter(connection.Stream, multiplexed: !options.Tty);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var input = options.Stdin ? PumpStdinAsync(session, connection, options, stop) : Task.FromResult(false);
        ExitResult? exit = null;
        try
        {
            while (await session.ReadFrameAsync(stop.Token).ConfigureAwait(false) is { } frame)
            {
                if (frame.Kind == AttachFrameKind.Exit)
                {
                    exit = ShimAttachSession.ParseExit(frame);
                    break;
                }
                var stream = frame.Kind == AttachFrameKind.Stderr ? StdStream.Stderr : StdStream.Stdout;
                if ((stream == StdStream.Stdout && options.Stdout) || (stream == StdStream.Stderr && options.Stderr))
                {
                    await writer.WriteAsync(stream, frame.Payload, stop.Token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            // The client or the shim went away; the process keeps running.
        }
        finally
        {
            connection.CloseOutput();
            await stop.CancelAsync().ConfigureAwait(false);
            await ((Task)input).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        var detached = input.IsCompletedSuccessfully && input.Result;
        return new AttachOutcome(detached ? null : exit, detached);
    }

    /// <summary>Copies the client's input to the process; true when it ended with the detach sequence (then <paramref name="stop"/> ends the output too).</summary>
    private static async Task<bool> PumpStdinAsync(ShimAttachSession session, HijackedConnection connection, AttachOptions options,
        CancellationTokenSource stop)
    {
        var cancellationToken = stop.Token;
        var buffer = new byte[32 * 1024];
        var scanner = options.Tty && options.DetachKeys is { Length: > 0 } keys ? new DetachScanner(keys) : null;
        var forward = new List<byte>();
        try
        {
            while (true)
            {
                var n = await connection.Stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }
                if (scanner is null)
                {
                    await session.WriteStdinAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                    continue;
                }
                forward.Clear();
                var detach = scanner.Scan(buffer.AsSpan(0, n), forward);
                if (forward.Count > 0)
                {
                    await session.WriteStdinAsync(forward.ToArray(), cancellationToken).ConfigureAwait(false);
                }
                if (detach)
                {
                    // Docker's detach: the attach ends, the process keeps running and its stdin stays open.
                    await stop.CancelAsync().ConfigureAwait(false);
                    return true;
                }
            }
            if (scanner is not null)
            {
                forward.Clear();
                scanner.Flush(forward);
                if (forward.Count > 0)
                {
                    await session.WriteStdinAsync(forward.ToArray(), cancellationToken).ConfigureAwait(false);
                }
            }
            if (options.Tty)
            {
                // As dockerd: a tty's stdin is never closed by a client leaving (the shell would
                // exit); the end of the client's input ends the attach, the process runs on.
                await stop.CancelAsync().ConfigureAwait(false);
            }
            else if (options.CloseStdinOnEof)
            {
                await session.CloseStdinAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            // Input ended with the connection; output handling decides when the bridge ends.
        }
        return false;
    }
}
