using System.Text.Json;

namespace PSContainer.ShimApi;

/// <summary>
/// An open attach stream (<see cref="ShimClient.AttachAsync"/>): read output frames until the Exit
/// frame or the end; write stdin. Reads and writes may run at the same time, but only one reader
/// and one writer.
/// </summary>
public sealed class ShimAttachSession : IAsyncDisposable
{
    private readonly ShimConnection _connection;

    internal ShimAttachSession(ShimConnection connection) => _connection = connection;

    /// <summary>The next Stdout, Stderr or Exit frame; null when the shim closed the stream.</summary>
    public ValueTask<AttachFrame?> ReadFrameAsync(CancellationToken cancellationToken = default) =>
        AttachFraming.ReadAsync(_connection.Stream, cancellationToken);

    /// <summary>Decodes the payload of an Exit frame.</summary>
    public static ExitResult ParseExit(AttachFrame frame) =>
        frame.Kind == AttachFrameKind.Exit
            ? JsonSerializer.Deserialize(frame.Payload.Span, ShimJsonContext.Default.ExitResult)
              ?? throw new ShimProtocolException("empty exit frame")
            : throw new ArgumentException($"frame is {frame.Kind}, not Exit", nameof(frame));

    public async Task WriteStdinAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        await _connection.Stream.WriteAsync(AttachFraming.Encode(AttachFrameKind.Stdin, data.Span), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the process's stdin (it reads EOF).</summary>
    public async Task CloseStdinAsync(CancellationToken cancellationToken = default)
    {
        await _connection.Stream.WriteAsync(AttachFraming.Encode(AttachFrameKind.CloseStdin, []), cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
