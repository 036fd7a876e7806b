using System.Buffers.Binary;

namespace PSContainer.ShimApi;

/// <summary>One frame of an attach stream.</summary>
public readonly record struct AttachFrame(AttachFrameKind Kind, ReadOnlyMemory<byte> Payload);

/// <summary>Encoding of attach frames: [kind: 1 byte][length: 4 bytes big-endian][payload].</summary>
public static class AttachFraming
{
    public static byte[] Encode(AttachFrameKind kind, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > ShimProtocol.MaxFrameSize)
        {
            throw new ShimProtocolException($"attach frame of {payload.Length} bytes exceeds the limit of {ShimProtocol.MaxFrameSize}");
        }
        var frame = new byte[5 + payload.Length];
        frame[0] = (byte)kind;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), payload.Length);
        payload.CopyTo(frame.AsSpan(5));
        return frame;
    }

    /// <summary>Reads one frame; null at a clean end of stream.</summary>
    public static async ValueTask<AttachFrame?> ReadAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        var header = new byte[5];
        if (!await ShimProtocol.ReadExactlyOrEofAsync(stream, header, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }
        var kind = (AttachFrameKind)header[0];
        if (!Enum.IsDefined(kind))
        {
            throw new ShimProtocolException($"unknown attach frame kind {header[0]}");
        }
        var length = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1));
        if (length < 0 || length > ShimProtocol.MaxFrameSize)
        {
            throw new ShimProtocolException($"attach frame length {length} is outside 0..{ShimProtocol.MaxFrameSize}");
        }
        var payload = new byte[length];
        if (length > 0 && !await ShimProtocol.ReadExactlyOrEofAsync(stream, payload, cancellationToken).ConfigureAwait(false))
        {
            throw new ShimProtocolException($"attach stream closed inside a frame of {length} bytes");
        }
        return new AttachFrame(kind, payload);
    }
}
