using PSContainer.Engine.Api.Http;
using PSContainer.ShimApi;

namespace PSContainer.Engine.Daemon.Streams;

/// <summary>What a client asked to attach to.</summary>
public sealed record AttachOptions(bool Stdin, bool Stdout, bool Stderr, bool Tty, bool CloseStdinOnEof);

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
/// the client's input closes stdin when asked (docker run -i, exec -i). The close travels as a
/// frame on the same stream as the data, so the process reads every byte before its EOF (a CloseIO
/// request on another connection could overtake data still in flight). The bridge ends when the
/// process exits (the shim's Exit frame) or the client disconnects.
/// </summary>
public static class AttachBridge
{
    public static async Task<ExitResult?> RunAsync(ShimAttachSession session, HijackedConnection connection, AttachOptions options,
        CancellationToken cancellationToken)
    {
        var writer = new StdStreamWriter(connection.Stream, multiplexed: !options.Tty);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var input = options.Stdin ? PumpStdinAsync(session, connection, options, stop.Token) : Task.CompletedTask;
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
            await input.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        return exit;
    }

    private static async Task PumpStdinAsync(ShimAttachSession session, HijackedConnection connection, AttachOptions options,
        CancellationToken cancellationToken)
    {
        var buffer = new byte[32 * 1024];
        try
        {
            while (true)
            {
                var n = await connection.Stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }
                await session.WriteStdinAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            }
            if (options.CloseStdinOnEof)
            {
                await session.CloseStdinAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            // Input ended with the connection; output handling decides when the bridge ends.
        }
    }
}
