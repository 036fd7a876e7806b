namespace PSContainer.Shim.Io;

/// <summary>
/// Cuts a byte stream into log lines the way Docker's log copier does: a line ends at '\n' (not
/// included); a line longer than <see cref="MaxLine"/> bytes is emitted in pieces of exactly
/// MaxLine bytes marked partial, and its last piece complete. At the end of the stream what is
/// left is emitted as a partial line. One splitter per stream (stdout, stderr); not thread-safe.
/// </summary>
internal sealed class LineSplitter
{
    /// <summary>Docker's buffer size: 16 KiB.</summary>
    public const int MaxLine = 16 * 1024;

    private readonly byte[] _pending = new byte[MaxLine];
    private int _length;

    /// <summary>Receives a line's bytes and whether it ended with a newline.</summary>
    public delegate void LineHandler(ReadOnlySpan<byte> line, bool complete);

    public void Feed(ReadOnlySpan<byte> data, LineHandler emit)
    {
        while (!data.IsEmpty)
        {
            var room = MaxLine - _length;
            var newline = data[..Math.Min(room, data.Length)].IndexOf((byte)'\n');
            if (newline >= 0)
            {
                if (_length == 0)
                {
                    emit(data[..newline], true);
                }
                else
                {
                    data[..newline].CopyTo(_pending.AsSpan(_length));
                    emit(_pending.AsSpan(0, _length + newline), true);
                    _length = 0;
                }
                data = data[(newline + 1)..];
                continue;
            }
            var take = Math.Min(room, data.Length);
            data[..take].CopyTo(_pending.AsSpan(_length));
            _length += take;
            data = data[take..];
            if (_length == MaxLine)
            {
                emit(_pending, false);
                _length = 0;
            }
        }
    }

    /// <summary>At the end of the stream: emits the unterminated rest, if any, as partial.</summary>
    public void Flush(LineHandler emit)
    {
        if (_length > 0)
        {
            emit(_pending.AsSpan(0, _length), false);
            _length = 0;
        }
    }
}
