using System.IO.Compression;
using System.Security.Cryptography;
using PSContainer.Oci;

namespace PSContainer.Engine.Core.Diff;

/// <summary>Layer blobs come plain, gzip'd or zstd'd; this finds out which from the first bytes.</summary>
public static class LayerStreams
{
    /// <summary>
    /// Wraps <paramref name="blob"/> so that reading it yields the uncompressed tar. Gzip is
    /// recognised by its magic (1f 8b); zstd (28 b5 2f fd) goes through the zstd program
    /// (<see cref="ZstdProcessStream"/>), a clear error when it is not installed.
    /// </summary>
    public static Stream Decompress(Stream blob, string what)
    {
        var buffered = blob.CanSeek ? blob : new BufferedStream(blob, 1 << 16);
        Span<byte> magic = stackalloc byte[4];
        var start = buffered.CanSeek ? buffered.Position : 0;
        var read = ReadAtMost(buffered, magic);
        if (buffered.CanSeek)
        {
            buffered.Position = start;
        }
        else
        {
            buffered = new PrefixedStream(magic[..read].ToArray(), buffered);
        }
        if (read >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)
        {
            return new GZipStream(buffered, CompressionMode.Decompress, leaveOpen: false);
        }
        if (read >= 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
        {
            return ZstdProcessStream.Open(buffered, what);
        }
        return buffered;
    }

    private static int ReadAtMost(Stream stream, Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = stream.Read(buffer[total..]);
            if (n == 0)
            {
                break;
            }
            total += n;
        }
        return total;
    }

    /// <summary>Bytes already read from a non-seekable stream, put back in front of it.</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream inner) : Stream
    {
        private int _offset;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_offset < prefix.Length)
            {
                var n = Math.Min(buffer.Length, prefix.Length - _offset);
                prefix.AsSpan(_offset, n).CopyTo(buffer);
                _offset += n;
                return n;
            }
            return inner.Read(buffer);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}

/// <summary>A read-only pass-through that hashes (sha256) and counts what is read.</summary>
public sealed class DigestingStream(Stream inner, bool leaveOpen = false) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public long BytesRead { get; private set; }

    /// <summary>The digest of everything read so far.</summary>
    public Digest Digest => Digest.FromHash(_hash.GetCurrentHash());

    /// <summary>Reads the rest of the stream (a tar reader stops before the end-of-archive padding).</summary>
    public void Drain()
    {
        var buffer = new byte[1 << 16];
        while (Read(buffer, 0, buffer.Length) > 0)
        {
        }
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        _hash.AppendData(buffer[..n]);
        BytesRead += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        _hash.AppendData(buffer.Span[..n]);
        BytesRead += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            if (!leaveOpen)
            {
                inner.Dispose();
            }
        }
        base.Dispose(disposing);
    }
}
