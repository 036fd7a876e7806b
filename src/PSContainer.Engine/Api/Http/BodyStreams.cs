using System.Globalization;
using System.Text;

namespace PSContainer.Engine.Api.Http;

/// <summary>A read-only forward stream; the base for request bodies.</summary>
internal abstract class ReadOnlyForwardStream : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Reads and discards the rest, so the connection can carry the next request.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        var scratch = new byte[8192];
        while (await ReadAsync(scratch, cancellationToken).ConfigureAwait(false) > 0)
        {
        }
    }
}

/// <summary>A body of known length (Content-Length).</summary>
internal sealed class ContentLengthStream(ConnectionStream connection, long length) : ReadOnlyForwardStream
{
    private long _remaining = length;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_remaining == 0)
        {
            return 0;
        }
        var n = await connection.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken).ConfigureAwait(false);
        if (n == 0)
        {
            throw new IOException($"the client closed the connection with {_remaining} bytes of the request body unsent");
        }
        _remaining -= n;
        return n;
    }
}

/// <summary>A body in chunked transfer coding (RFC 9112 §7.1); trailers are read and ignored.</summary>
internal sealed class ChunkedReadStream(ConnectionStream connection) : ReadOnlyForwardStream
{
    private long _chunkRemaining;
    private bool _done;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_done || buffer.Length == 0)
        {
            return 0;
        }
        if (_chunkRemaining == 0)
        {
            var sizeLine = await connection.ReadLineAsync(1024, cancellationToken).ConfigureAwait(false)
                ?? throw new IOException("the client closed the connection inside a chunked body");
            var semicolon = sizeLine.IndexOf(';', StringComparison.Ordinal);
            var hex = (semicolon < 0 ? sizeLine : sizeLine[..semicolon]).Trim();
            if (!long.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _chunkRemaining) || _chunkRemaining < 0)
            {
                throw new BadRequestException($"invalid chunk size line \"{sizeLine}\"");
            }
            if (_chunkRemaining == 0)
            {
                // Trailer section: header lines up to an empty line.
                while (!string.IsNullOrEmpty(await connection.ReadLineAsync(8192, cancellationToken).ConfigureAwait(false)))
                {
                }
                _done = true;
                return 0;
            }
        }
        var n = await connection.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _chunkRemaining)], cancellationToken).ConfigureAwait(false);
        if (n == 0)
        {
            throw new IOException("the client closed the connection inside a chunk");
        }
        _chunkRemaining -= n;
        if (_chunkRemaining == 0)
        {
            var crlf = await connection.ReadLineAsync(2, cancellationToken).ConfigureAwait(false);
            if (crlf is null || crlf.Length != 0)
            {
                throw new BadRequestException("chunk not followed by CRLF");
            }
        }
        return n;
    }
}

/// <summary>
/// A response body in chunked transfer coding. Each write is sent at once as one chunk (streams
/// such as logs and events must reach the client without delay); disposing sends the last chunk.
/// </summary>
internal sealed class ChunkedWriteStream(Stream connection) : Stream
{
    private static readonly byte[] LastChunk = "0\r\n\r\n"u8.ToArray();
    private bool _completed;

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.Length == 0)
        {
            return;
        }
        ObjectDisposedException.ThrowIf(_completed, this);
        var header = Encoding.ASCII.GetBytes(buffer.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n");
        var frame = new byte[header.Length + buffer.Length + 2];
        header.CopyTo(frame, 0);
        buffer.CopyTo(frame.AsMemory(header.Length));
        frame[^2] = (byte)'\r';
        frame[^1] = (byte)'\n';
        await connection.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <summary>Sends the terminating chunk; the response is then complete.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken = default)
    {
        if (!_completed)
        {
            _completed = true;
            await connection.WriteAsync(LastChunk, cancellationToken).ConfigureAwait(false);
        }
    }

    public bool Completed => _completed;

    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
