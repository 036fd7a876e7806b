using System.Globalization;
using System.Text;
using System.Text.Json;

namespace PSContainer.Engine.Daemon.Streams;

/// <summary>
/// Reads the json-file log the shim writes (file.log, rotated to file.log.1 ... file.log.N):
/// filters by stream and time, keeps the last Tail lines, and in follow mode keeps reading as
/// the file grows or rotates until the container stops.
/// </summary>
public static class JsonFileLogReader
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Every entry currently in the log files, oldest first.</summary>
    public static List<LogEntry> ReadAll(string logPath) => ReadAll(logPath, out _);

    /// <summary>Also returns how far into the current file the complete lines reach (where following resumes).</summary>
    private static List<LogEntry> ReadAll(string logPath, out long currentFilePosition)
    {
        var entries = new List<LogEntry>();
        currentFilePosition = 0;
        foreach (var file in RotatedFiles(logPath))
        {
            using var stream = OpenShared(file);
            if (stream is null)
            {
                continue;
            }
            ReadEntries(stream, entries, out var consumed);
            if (file == logPath)
            {
                currentFilePosition = consumed;
            }
        }
        return entries;
    }

    /// <summary>Writes the selected entries to <paramref name="writer"/>; follows while <paramref name="stillRunning"/> says so.</summary>
    public static async Task CopyAsync(string logPath, LogOptions options, StdStreamWriter writer, Func<bool> stillRunning, CancellationToken cancellationToken)
    {
        var entries = ReadAll(logPath, out var position);
        var selected = entries.Where(e => Wanted(e, options)).ToList();
        if (options.Tail is { } tail && tail >= 0 && selected.Count > tail)
        {
            selected = selected.GetRange(selected.Count - tail, tail);
        }
        foreach (var entry in selected)
        {
            await WriteEntryAsync(writer, entry, options, cancellationToken).ConfigureAwait(false);
        }
        if (!options.Follow)
        {
            return;
        }

        // Follow: keep a position in the current file; a shrunk or replaced file means rotation.
        var pending = new List<LogEntry>();
        while (!cancellationToken.IsCancellationRequested)
        {
            var running = stillRunning();
            using (var stream = OpenShared(logPath))
            {
                if (stream is not null)
                {
                    if (stream.Length < position)
                    {
                        position = 0; // rotated: the new file starts from the beginning
                    }
                    stream.Position = position;
                    pending.Clear();
                    ReadEntries(stream, pending, out var consumed);
                    position += consumed;
                    foreach (var entry in pending.Where(e => Wanted(e, options)))
                    {
                        await WriteEntryAsync(writer, entry, options, cancellationToken).ConfigureAwait(false);
                    }
                    if (options.Until is { } until && DateTimeOffset.UtcNow > until)
                    {
                        return;
                    }
                }
            }
            if (!running)
            {
                return;
            }
            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool Wanted(LogEntry entry, LogOptions options) =>
        (entry.Stream == StdStream.Stdout ? options.Stdout : options.Stderr) &&
        (options.Since is null || entry.Time >= options.Since) &&
        (options.Until is null || entry.Time <= options.Until);

    private static Task WriteEntryAsync(StdStreamWriter writer, LogEntry entry, LogOptions options, CancellationToken cancellationToken)
    {
        if (!options.Timestamps)
        {
            return writer.WriteAsync(entry.Stream, entry.Line, cancellationToken);
        }
        var prefix = Encoding.ASCII.GetBytes(DockerTimestamp(entry) + " ");
        return writer.WriteAsync(entry.Stream, (byte[])[.. prefix, .. entry.Line], cancellationToken);
    }

    /// <summary>
    /// dockerd's timestamp prefix: UTC with exactly nine fraction digits ("…:01.500000000Z"), so the
    /// columns line up. The digits come from the recorded text, which may carry more precision
    /// than DateTimeOffset's 100 ns.
    /// </summary>
    internal static string DockerTimestamp(LogEntry entry)
    {
        var fraction = "";
        var dot = entry.RawTime.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            var end = dot + 1;
            while (end < entry.RawTime.Length && char.IsAsciiDigit(entry.RawTime[end]))
            {
                end++;
            }
            fraction = entry.RawTime[(dot + 1)..end];
        }
        fraction = fraction.PadRight(9, '0')[..9];
        return entry.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + "." + fraction + "Z";
    }

    /// <summary>Oldest first: file.log.N ... file.log.1, file.log.</summary>
    private static IEnumerable<string> RotatedFiles(string logPath)
    {
        var rotated = new List<(int, string)>();
        var dir = Path.GetDirectoryName(logPath)!;
        if (Directory.Exists(dir))
        {
            var prefix = Path.GetFileName(logPath) + ".";
            foreach (var file in Directory.EnumerateFiles(dir, prefix + "*"))
            {
                var fileName = Path.GetFileName(file);
                // "name.*" also matches "name" itself (the pattern's DOS heritage): skip it here.
                if (fileName.Length > prefix.Length && int.TryParse(fileName[prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    rotated.Add((n, file));
                }
            }
        }
        foreach (var (_, file) in rotated.OrderByDescending(r => r.Item1))
        {
            yield return file;
        }
        yield return logPath;
    }

    private static FileStream? OpenShared(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Parses complete lines; <paramref name="consumed"/> counts the bytes of complete lines (a partial last line is left for later).</summary>
    private static void ReadEntries(Stream stream, List<LogEntry> entries, out long consumed)
    {
        consumed = 0;
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var data = memory.GetBuffer().AsSpan(0, (int)memory.Length);
        while (true)
        {
            var lf = data.IndexOf((byte)'\n');
            if (lf < 0)
            {
                break;
            }
            var line = data[..lf];
            data = data[(lf + 1)..];
            consumed += lf + 1;
            if (TryParse(line, out var entry))
            {
                entries.Add(entry);
            }
        }
    }

    internal static bool TryParse(ReadOnlySpan<byte> json, out LogEntry entry)
    {
        entry = null!;
        try
        {
            var reader = new Utf8JsonReader(json);
            string? log = null, stream = null, time = null;
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                switch (name)
                {
                    case "log": log = reader.GetString(); break;
                    case "stream": stream = reader.GetString(); break;
                    case "time": time = reader.GetString(); break;
                    default: reader.Skip(); break;
                }
            }
            if (log is null || time is null || !DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                return false;
            }
            entry = new LogEntry(stream == "stderr" ? StdStream.Stderr : StdStream.Stdout, at, time, Encoding.UTF8.GetBytes(log));
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
