using System.Net.Sockets;
using System.Text;

namespace PSContainer.Engine.Api.Http;

/// <summary>
/// The client connection with a read-ahead buffer: header lines are parsed from the buffer, and
/// whatever the client sent after the headers (a body, or stdin after a hijack) is read from the
/// buffer first. Writes go straight to the socket (no buffering: streams flush as they go).
/// </summary>
internal sealed class ConnectionStream(Socket socket) : Stream
{
    private readonly NetworkStream _inner = new(socket, ownsSocket: true);
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    public Socket Socket { get; } = socket;

    /// <summary>
    /// Reads one header line (without CR LF) of at most <paramref name="maxLength"/> bytes; null at a
    /// clean end of stream before any byte.
    /// </summary>
    public async ValueTask<string?> ReadLineAsync(int maxLength, CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        while (true)
        {
            if (_start == _end)
            {
                if (!await FillAsync(cancellationToken).ConfigureAwait(false))
                {
                    return line.Length == 0 ? null : throw new BadRequestException("connection closed inside a header line");
                }
            }
            var span = _buffer.AsSpan(_start, _end - _start);
            var lf = span.IndexOf((byte)'\n');
            var take = lf < 0 ? span.Length : lf;
            line.Append(Encoding.Latin1.GetString(span[..take]));
            _start += lf < 0 ? take : take + 1;
            if (line.Length > maxLength)
            {
                throw new BadRequestException($"header line longer than {maxLength} bytes");
            }
            if (lf >= 0)
            {
                if (line.Length > 0 && line[^1] == '\r')
                {
                    line.Length--;
                }
                return line.ToString();
            }
        }
    }

    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        _start = 0;
        _end = await _inner.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
        return _end > 0;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_start < _end)
        {
            var n = Math.Min(buffer.Length, _end - _start);
            _buffer.AsMemory(_start, n).CopyTo(buffer);
            _start += n;
            return n;
        }
        return await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Half-closes the connection: the client sees end of stream, we can still read.</summary>
    public void ShutdownWrite()
    {
        try
        {
            Socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // The peer is already gone; nothing left to signal.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}

/// <summary>The request cannot be parsed; the server answers 400 and closes the connection.</summary>
internal sealed class BadRequestException(string message) : Exception(message);
