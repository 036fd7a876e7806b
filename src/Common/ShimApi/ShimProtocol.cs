using System.Buffers.Binary;

namespace PSContainer.ShimApi;

/// <summary>
/// The wire format between psc-engine and psc-shim: each message is a 4-byte big-endian length
/// followed by that many bytes of UTF-8 JSON (<see cref="ShimJsonContext"/>). One request, one
/// response, in order, on a connection; an Attach request turns its connection into a stream of
/// <see cref="AttachFrameKind"/> frames.
/// </summary>
public static class ShimProtocol
{
    /// <summary>Sent in Connect; a shim refuses a client whose major version differs.</summary>
    public const int Version = 1;

    /// <summary>Frames larger than this are refused (a corrupt or hostile peer, not a message).</summary>
    public const int MaxFrameSize = 16 * 1024 * 1024;

    /// <summary>Writes one frame: length then payload.</summary>
    public static async ValueTask WriteFrameAsync(Stream stream, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        if (payload.Length > MaxFrameSize)
        {
            throw new ShimProtocolException($"frame of {payload.Length} bytes exceeds the limit of {MaxFrameSize}");
        }
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, payload.Length);
        payload.CopyTo(frame.AsMemory(4));
        await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads one frame; null when the peer closed the connection between frames.</summary>
    public static async ValueTask<byte[]?> ReadFrameAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        var header = new byte[4];
        if (!await ReadExactlyOrEofAsync(stream, header, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }
        var length = BinaryPrimitives.ReadInt32BigEndian(header);
        if (length < 0 || length > MaxFrameSize)
        {
            throw new ShimProtocolException($"frame length {length} is outside 0..{MaxFrameSize}");
        }
        var payload = new byte[length];
        if (!await ReadExactlyOrEofAsync(stream, payload, cancellationToken).ConfigureAwait(false) && length > 0)
        {
            throw new ShimProtocolException($"connection closed inside a frame of {length} bytes");
        }
        return payload;
    }

    /// <summary>False if the stream ended before the first byte; throws if it ended part way.</summary>
    internal static async ValueTask<bool> ReadExactlyOrEofAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer[read..], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return read == 0 ? false : throw new ShimProtocolException($"connection closed after {read} of {buffer.Length} bytes");
            }
            read += n;
        }
        return true;
    }
}

/// <summary>The peer broke the framing or sent JSON that is not a message of this protocol.</summary>
public sealed class ShimProtocolException(string message) : IOException(message);
