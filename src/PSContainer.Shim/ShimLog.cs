using System.Globalization;

namespace PSContainer.Shim;

/// <summary>
/// The shim's own diagnostics: one line per event on stderr, which `start` points at
/// &lt;bundle&gt;/shim.log. (A logging framework would cost the shim memory for little gain.)
/// </summary>
internal static class ShimLog
{
    private static readonly Lock Gate = new();

    public static void Info(string message) => Write("info", message);

    public static void Warn(string message) => Write("warn", message);

    public static void Error(string message) => Write("error", message);

    private static void Write(string level, string message)
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} {level} {message}");
        lock (Gate)
        {
            Console.Error.WriteLine(line);
        }
    }
}
