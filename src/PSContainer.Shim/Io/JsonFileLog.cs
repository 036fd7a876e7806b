using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace PSContainer.Shim.Io;

/// <summary>The two output streams of a process, as the log names them.</summary>
internal enum OutputStream
{
    Stdout,
    Stderr,
}

/// <summary>
/// The container log in Docker's json-file format: one object per line,
/// {"log":"text\n","stream":"stdout","time":"2006-01-02T15:04:05.999999999Z"}, with size-based
/// rotation (file.log → file.log.1 → ... → file.log.(maxFiles-1)). The entries of one read are
/// written with one write(2), and written synchronously: when the disk is slow the reader blocks,
/// the pipe fills and the container blocks; memory stays bounded and nothing is dropped.
/// </summary>
internal sealed class JsonFileLog : IDisposable
{
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    private readonly Lock _gate = new();
    private readonly LineSplitter[] _splitters = [new(), new()];
    private readonly ArrayBufferWriter<byte> _batch = new(64 * 1024);
    private readonly Utf8JsonWriter _json;
    private FileStream _file;
    private long _size;

    /// <param name="maxSize">Rotate before a write would take the file past this size; 0: never.</param>
    /// <param name="maxFiles">Files kept including the current one (at least 1).</param>
    public JsonFileLog(string path, long maxSize, int maxFiles)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFiles, 1);
        Path = path;
        MaxSize = maxSize;
        MaxFiles = maxFiles;
        _file = Open(path);
        _size = _file.Length;
        _json = new Utf8JsonWriter(_batch, WriterOptions);
    }

    public string Path { get; }

    public long MaxSize { get; }

    public int MaxFiles { get; }

    /// <summary>Logs the lines in <paramref name="data"/> (a partial line waits for its end).</summary>
    public void Write(OutputStream stream, ReadOnlySpan<byte> data, DateTimeOffset time)
    {
        lock (_gate)
        {
            _splitters[(int)stream].Feed(data, (line, complete) => Append(stream, line, complete, time));
            FlushBatch();
        }
    }

    /// <summary>The stream ended: logs its unterminated rest.</summary>
    public void Close(OutputStream stream, DateTimeOffset time)
    {
        lock (_gate)
        {
            _splitters[(int)stream].Flush((line, complete) => Append(stream, line, complete, time));
            FlushBatch();
        }
    }

    /// <summary>Go's RFC3339Nano: fraction without trailing zeros, UTC as "Z".</summary>
    public static string FormatTime(DateTimeOffset time)
    {
        var text = time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffff", CultureInfo.InvariantCulture).TrimEnd('0');
        return (text.EndsWith('.') ? text[..^1] : text) + "Z";
    }

    private void Append(OutputStream stream, ReadOnlySpan<byte> line, bool complete, DateTimeOffset time)
    {
        var start = _batch.WrittenCount;
        _json.Reset();
        _json.WriteStartObject();
        // Invalid UTF-8 becomes U+FFFD, as Go's encoder does.
        var text = Encoding.UTF8.GetString(line);
        _json.WriteString("log"u8, complete ? text + "\n" : text);
        _json.WriteString("stream"u8, stream == OutputStream.Stdout ? "stdout"u8 : "stderr"u8);
        _json.WriteString("time"u8, FormatTime(time));
        _json.WriteEndObject();
        _json.Flush();
        _batch.GetSpan(1)[0] = (byte)'\n';
        _batch.Advance(1);
        var entryLength = _batch.WrittenCount - start;

        if (MaxSize > 0 && _size + start > 0 && _size + start + entryLength > MaxSize)
        {
            // Write what came before this entry to the current file, then rotate and carry the entry over.
            var entry = _batch.WrittenSpan[start..].ToArray();
            _file.Write(_batch.WrittenSpan[..start]);
            _batch.ResetWrittenCount();
            Rotate();
            _batch.Write(entry);
        }
    }

    private void FlushBatch()
    {
        if (_batch.WrittenCount > 0)
        {
            _file.Write(_batch.WrittenSpan);
            _size += _batch.WrittenCount;
            _batch.ResetWrittenCount();
        }
    }

    private void Rotate()
    {
        _file.Dispose();
        if (MaxFiles == 1)
        {
            _file = new FileStream(Path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        }
        else
        {
            for (var i = MaxFiles - 1; i > 1; i--)
            {
                var from = $"{Path}.{i - 1}";
                if (File.Exists(from))
                {
                    File.Move(from, $"{Path}.{i}", overwrite: true);
                }
            }
            File.Move(Path, Path + ".1", overwrite: true);
            _file = Open(Path);
        }
        _size = 0;
    }

    private static FileStream Open(string path) =>
        new(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);

    public void Dispose()
    {
        lock (_gate)
        {
            _json.Dispose();
            _file.Dispose();
        }
    }
}
