using System.Text;
using System.Text.Json;

namespace PSContainer.Runc.Cli;

/// <summary>
/// psc-runc's log, as runc writes it: to --log (or stderr) in logrus's text form
/// (time="..." level=error msg="...") or, with --log-format json, as JSON lines
/// {"level":"error","msg":"...","time":"..."} that containerd and podman read back.
/// </summary>
public sealed class RuncLog(string? path, bool json, bool debug)
{
    public string? Path { get; } = path;

    public bool IsDebug { get; } = debug;

    /// <summary>Debug lines carry the milliseconds since Main began, to see where time goes.</summary>
    private static readonly long StartTicks = Environment.TickCount64;

    public void Debug(string message)
    {
        if (IsDebug)
        {
            Write("debug", $"[{Environment.TickCount64 - StartTicks} ms] {message}");
        }
    }

    public void Warn(string message) => Write("warning", message);

    /// <summary>Logs an error; like runc, with a log file the plain message also goes to stderr.</summary>
    public void Error(string message)
    {
        Write("error", message);
        if (Path is not null)
        {
            Console.Error.WriteLine(message);
        }
    }

    private void Write(string level, string message)
    {
        var time = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var line = json ? JsonLine(level, message, time) : $"time=\"{time}\" level={level} msg={Quote(message)}";
        if (Path is null)
        {
            Console.Error.WriteLine(line);
            return;
        }
        try
        {
            File.AppendAllText(Path, line + "\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine(line);
        }
    }

    private static string JsonLine(string level, string message, string time)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("level", level);
            writer.WriteString("msg", message);
            writer.WriteString("time", time);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>logrus quotes a value that holds anything but plain characters, escaping quotes.</summary>
    private static string Quote(string s) =>
        s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '/' or '@' or '^' or '+')
            ? s
            : "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
