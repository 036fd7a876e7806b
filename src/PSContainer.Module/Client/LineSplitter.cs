using System.Text;

namespace PSContainer.Module.Client;

/// <summary>
/// Turns output chunks into text lines, one buffer per stream, so a line split across frames (or
/// a UTF-8 character split across them) comes out whole and stdout and stderr never mix.
/// </summary>
public sealed class LineSplitter
{
    private readonly Dictionary<OutputStream, MemoryStream> _pending = [];

    /// <summary>Appends a chunk and returns the lines it completed (without their line ends).</summary>
    public IReadOnlyList<string> Push(OutputChunk chunk)
    {
        var lines = new List<string>();
        if (!_pending.TryGetValue(chunk.Stream, out var buffer))
        {
            buffer = new MemoryStream();
            _pending[chunk.Stream] = buffer;
        }
        var span = chunk.Data.Span;
        while (!span.IsEmpty)
        {
            var newline = span.IndexOf((byte)'\n');
            if (newline < 0)
            {
                buffer.Write(span);
                break;
            }
            buffer.Write(span[..newline]);
            lines.Add(Take(buffer));
            span = span[(newline + 1)..];
        }
        return lines;
    }

    /// <summary>The unterminated rest of every stream, at the end of the output.</summary>
    public IReadOnlyList<(OutputStream Stream, string Line)> Flush()
    {
        var rest = new List<(OutputStream, string)>();
        foreach (var (stream, buffer) in _pending.OrderBy(p => p.Key))
        {
            if (buffer.Length > 0)
            {
                rest.Add((stream, Take(buffer)));
            }
        }
        return rest;
    }

    private static string Take(MemoryStream buffer)
    {
        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        if (!bytes.IsEmpty && bytes[^1] == (byte)'\r')
        {
            bytes = bytes[..^1];
        }
        var text = Encoding.UTF8.GetString(bytes);
        buffer.SetLength(0);
        return text;
    }
}
