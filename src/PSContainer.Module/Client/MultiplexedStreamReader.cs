using System.Buffers.Binary;

namespace PSContainer.Module.Client;

/// <summary>
/// Reads container output from logs, attach and exec. Without a tty the engine multiplexes stdout
/// and stderr in frames: an 8-byte header (stream type, three zero bytes, big-endian payload
/// length) followed by the payload. With a tty the bytes are raw and all count as stdout.
/// </summary>
public sealed class MultiplexedStreamReader
{
    private const int HeaderSize = 8;
    private readonly Stream _stream;
    private readonly bool _raw;
    private readonly byte[] _header = new byte[HeaderSize];
    private byte[] _buffer = new byte[16 * 1024];

    public MultiplexedStreamReader(Stream stream, bool raw)
    {
        _stream = stream ?? throw new ArgumentNullException(nameof(stream));
        _raw = raw;
    }

    /// <summary>The next chunk, or null at the end of the stream. The data is valid until the next call.</summary>
    public async ValueTask<OutputChunk?> ReadAsync(CancellationToken cancellationToken)
    {
        if (_raw)
        {
            var n = await _stream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
            return n == 0 ? null : new OutputChunk(OutputStream.StdOut, _buffer.AsMemory(0, n));
        }
        if (!await ReadExactlyOrEndAsync(_header, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }
        var type = _header[0];
        if (type > 2 || _header[1] != 0 || _header[2] != 0 || _header[3] != 0)
        {
            throw new EngineException(EngineErrorKind.EngineError,
                $"The engine sent a malformed output frame header ({Convert.ToHexString(_header)}); expected stream type 0-2 and three zero bytes.");
        }
        var length = BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(4));
        if (length > 64 * 1024 * 1024)
        {
            throw new EngineException(EngineErrorKind.EngineError, $"The engine sent an output frame of {length} bytes; the limit is 64 MiB.");
        }
        if (_buffer.Length < length)
        {
            _buffer = new byte[Math.Max(length, _buffer.Length * 2)];
        }
        var payload = _buffer.AsMemory(0, (int)length);
        if (!await ReadExactlyOrEndAsync(payload, cancellationToken).ConfigureAwait(false) && length > 0)
        {
            throw new EngineException(EngineErrorKind.EngineError, $"The output stream ended inside a frame of {length} bytes.");
        }
        return new OutputChunk((OutputStream)type, payload);
    }

    /// <summary>Fills the buffer; false if the stream ended before the first byte, an error if it ended midway.</summary>
    private async ValueTask<bool> ReadExactlyOrEndAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var n = await _stream.ReadAsync(buffer[filled..], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                if (filled == 0)
                {
                    return false;
                }
                throw new EngineException(EngineErrorKind.EngineError,
                    $"The output stream ended after {filled} of {buffer.Length} bytes of a frame.");
            }
            filled += n;
        }
        return true;
    }
}
