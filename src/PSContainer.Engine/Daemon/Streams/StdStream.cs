using System.Buffers.Binary;

namespace PSContainer.Engine.Daemon.Streams;

/// <summary>Docker's stream numbers in the multiplexed framing.</summary>
public enum StdStream : byte
{
    Stdin = 0,
    Stdout = 1,
    Stderr = 2,
    /// <summary>Used by Docker for errors inside a stream (API 1.42+, "systemerr").</summary>
    SystemErr = 3,
}

/// <summary>
/// Writes container output to a client either raw (tty: one byte stream) or in Docker's 8-byte
/// multiplexed framing: [stream, 0, 0, 0, size (uint32 big-endian)] followed by the payload.
/// </summary>
public sealed class StdStreamWriter(Stream output, bool multiplexed)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public bool Multiplexed { get; } = multiplexed;

    public async Task WriteAsync(StdStream stream, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (payload.Length == 0)
        {
            return;
        }
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!Multiplexed)
            {
                await output.WriteAsync(payload, cancellationToken).ConfigureAwait(false);
                return;
            }
            var frame = new byte[8 + payload.Length];
            frame[0] = (byte)stream;
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)payload.Length);
            payload.CopyTo(frame.AsMemory(8));
            await output.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Encodes one frame (for tests and for callers that batch).</summary>
    public static byte[] Frame(StdStream stream, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[8 + payload.Length];
        frame[0] = (byte)stream;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)payload.Length);
        payload.CopyTo(frame.AsSpan(8));
        return frame;
    }
}
