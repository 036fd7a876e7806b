using System.Text;
using PSContainer.Engine.Core.Errdefs;

namespace PSContainer.Engine.Core.Diff;

/// <summary>
/// A read-only pass-through over a tar stream that follows the archive's block structure and
/// keeps the raw bytes of the PAX extended header ('x') records of the entry most recently
/// headed. System.Formats.Tar decodes PAX values as UTF-8, which mangles binary values such as
/// SCHILY.xattr.security.capability; the applier reads those values from here instead.
/// TarReader reads an unseekable archive strictly in order (header, data, next header), so
/// when it hands out an entry the recorder has seen exactly that entry's headers.
/// It also ends archives that stop without the two zero blocks of the end-of-archive marker
/// (umoci writes layers like that; Go's archive/tar, and so Docker, accept them): when the
/// stream ends exactly where a header would start, the reader gets the missing zero blocks,
/// since TarReader throws EndOfStreamException there on unseekable streams. A stream ending
/// anywhere else is still truncated and fails.
/// </summary>
internal sealed class PaxHeaderRecorder(Stream inner) : Stream
{
    private const int Block = 512;
    private readonly byte[] _header = new byte[Block];
    private int _headerFill;
    private long _skip;
    private MemoryStream? _capture;
    private long _captureRemaining;
    private Dictionary<string, byte[]>? _pending;
    private int _endMarkerSupplied;

    /// <summary>The PAX records (key → raw value bytes) of the last regular entry header seen; null when it had none.</summary>
    public IReadOnlyDictionary<string, byte[]>? Current { get; private set; }

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        if (n == 0)
        {
            return SupplyEndMarker(buffer);
        }
        Observe(buffer[..n]);
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (n == 0)
        {
            return SupplyEndMarker(buffer.Span);
        }
        Observe(buffer.Span[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>At the inner stream's end: zero blocks up to a full end-of-archive marker when the end falls where a header would start, else 0.</summary>
    private int SupplyEndMarker(Span<byte> buffer)
    {
        if (_skip > 0 || _headerFill > 0 || buffer.Length == 0)
        {
            return 0; // inside an entry's data or header: truncated, and TarReader says so
        }
        var n = Math.Min(buffer.Length, (2 * Block) - _endMarkerSupplied);
        buffer[..n].Clear();
        _endMarkerSupplied += n;
        return n;
    }

    private void Observe(ReadOnlySpan<byte> data)
    {
        while (data.Length > 0)
        {
            if (_skip > 0)
            {
                var take = (int)Math.Min(_skip, data.Length);
                if (_capture is not null && _captureRemaining > 0)
                {
                    var keep = (int)Math.Min(_captureRemaining, take);
                    _capture.Write(data[..keep]);
                    _captureRemaining -= keep;
                }
                _skip -= take;
                data = data[take..];
                if (_skip == 0 && _capture is not null)
                {
                    _pending = Parse(_capture.ToArray());
                    _capture = null;
                }
                continue;
            }
            var copy = Math.Min(Block - _headerFill, data.Length);
            data[..copy].CopyTo(_header.AsSpan(_headerFill));
            _headerFill += copy;
            data = data[copy..];
            if (_headerFill == Block)
            {
                _headerFill = 0;
                OnHeader();
            }
        }
    }

    private void OnHeader()
    {
        if (_header.AsSpan().IndexOfAnyExcept((byte)0) < 0)
        {
            return; // an end-of-archive block
        }
        var type = (char)_header[156];
        var size = ReadSize(_header.AsSpan(124, 12));
        switch (type)
        {
            case 'x':
                _capture = new MemoryStream();
                _captureRemaining = size;
                break;
            case 'g' or 'L' or 'K':
                break; // global records, GNU long names: data to skip, the entry's header is still to come
            default:
                Current = _pending;
                if (_pending is not null && _pending.TryGetValue("size", out var paxSize)
                    && long.TryParse(Encoding.ASCII.GetString(paxSize), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var large))
                {
                    size = large; // PAX size overrides the header's field (files of 8 GiB and more)
                }
                _pending = null;
                if (type is '1' or '2' or '3' or '4' or '5' or '6')
                {
                    size = 0; // links, devices, directories and FIFOs carry no data
                }
                break;
        }
        _skip = (size + Block - 1) / Block * Block;
        if (_skip == 0 && _capture is not null)
        {
            _pending = Parse([]);
            _capture = null;
        }
    }

    /// <summary>A numeric header field: octal text, or base-256 when the first byte has its high bit set.</summary>
    private static long ReadSize(ReadOnlySpan<byte> field)
    {
        if ((field[0] & 0x80) != 0)
        {
            long value = field[0] & 0x7f;
            foreach (var b in field[1..])
            {
                value = (value << 8) | b;
            }
            return value;
        }
        long octal = 0;
        foreach (var b in field)
        {
            if (b is >= (byte)'0' and <= (byte)'7')
            {
                octal = (octal * 8) + (b - '0');
            }
            else if (b is 0 or (byte)' ' && octal > 0)
            {
                break;
            }
        }
        return octal;
    }

    /// <summary>PAX records: "LEN KEY=VALUE\n", LEN counting the whole record in bytes; values are bytes.</summary>
    internal static Dictionary<string, byte[]> Parse(ReadOnlySpan<byte> records)
    {
        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        while (records.Length > 0)
        {
            var space = records.IndexOf((byte)' ');
            if (space <= 0 || !int.TryParse(records[..space], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var length)
                || length <= space + 1 || length > records.Length || records[length - 1] != (byte)'\n')
            {
                throw CoreException.InvalidArgument("tar: malformed PAX extended header record");
            }
            var record = records[(space + 1)..(length - 1)];
            var equals = record.IndexOf((byte)'=');
            if (equals <= 0)
            {
                throw CoreException.InvalidArgument("tar: PAX extended header record without '='");
            }
            result[Encoding.UTF8.GetString(record[..equals])] = record[(equals + 1)..].ToArray();
            records = records[length..];
        }
        return result;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
