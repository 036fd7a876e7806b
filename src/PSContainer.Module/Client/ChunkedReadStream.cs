using System.Globalization;
using System.Text;

namespace PSContainer.Module.Client;

/// <summary>Reads an HTTP/1.1 chunked body as a plain stream (for responses the client reads by hand).</summary>
internal sealed class ChunkedReadStream : Stream
{
    private readonly Stream _inner;
    private long _remaining;
    private bool _done;

    public ChunkedReadStream(Stream inner) => _inner = inner;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_done || buffer.IsEmpty)
        {
            return 0;
        }
        if (_remaining == 0)
        {
            var sizeLine = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
            var size = sizeLine.Split(';')[0].Trim();
            if (!long.TryParse(size, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _remaining) || _remaining < 0)
            {
                throw new EngineException(EngineErrorKind.EngineError, $"The engine sent a bad chunk size '{sizeLine}'.");
            }
            if (_remaining == 0)
            {
                // Trailer lines, then the empty line that ends the body.
                while ((await ReadLineAsync(cancellationToken).ConfigureAwait(false)).Length > 0)
                {
                }
                _done = true;
                return 0;
            }
        }
        var n = await _inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken).ConfigureAwait(false);
        if (n == 0)
        {
            throw new EngineException(EngineErrorKind.EngineError, "The engine closed the connection inside a chunk.");
        }
        _remaining -= n;
        if (_remaining == 0)
        {
            await ReadLineAsync(cancellationToken).ConfigureAwait(false);
        }
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (true)
        {
            if (await _inner.ReadAsync(one, cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new EngineException(EngineErrorKind.EngineError, "The engine closed the connection inside a chunked body.");
            }
            if (one[0] == '\n')
            {
                return line.ToString().TrimEnd('\r');
            }
            line.Append((char)one[0]);
        }
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
