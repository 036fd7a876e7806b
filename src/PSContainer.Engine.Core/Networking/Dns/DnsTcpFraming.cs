using System.Buffers.Binary;

namespace PSContainer.Engine.Core.Networking.Dns;

/// <summary>DNS over TCP: each message is preceded by its length as a 16-bit big-endian number (RFC 1035 4.2.2, RFC 7766 8).</summary>
public static class DnsTcpFraming
{
    /// <summary>The next message, or null at a clean end of stream before a length prefix.</summary>
    public static async Task<byte[]?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var prefix = new byte[2];
        var first = await stream.ReadAsync(prefix.AsMemory(0, 1), cancellationToken).ConfigureAwait(false);
        if (first == 0)
        {
            return null;
        }
        await stream.ReadExactlyAsync(prefix.AsMemory(1, 1), cancellationToken).ConfigureAwait(false);
        var length = BinaryPrimitives.ReadUInt16BigEndian(prefix);
        var message = new byte[length];
        await stream.ReadExactlyAsync(message, cancellationToken).ConfigureAwait(false);
        return message;
    }

    public static async Task WriteAsync(Stream stream, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        if (message.Length > DnsWire.TcpLimit)
        {
            throw new ArgumentException($"a DNS message of {message.Length} bytes does not fit a TCP frame", nameof(message));
        }
        // One buffer, one write: the prefix and the message leave in the same segment.
        var framed = new byte[message.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)message.Length);
        message.CopyTo(framed.AsMemory(2));
        await stream.WriteAsync(framed, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
