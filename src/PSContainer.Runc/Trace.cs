using System.Text;
using PSContainer.Interop.Linux;

namespace PSContainer.Runc;

/// <summary>
/// Startup timestamps for bench/ (PSC_TRACE_FILE, format in bench/README.md): one JSON line per
/// step, each a single write(2) with O_APPEND. Off (no open, no clock read) when the variable is unset.
/// </summary>
public static class Trace
{
    /// <summary>The trace file's fd, or -1 when tracing is off.</summary>
    public static readonly int Fd = Environment.GetEnvironmentVariable("PSC_TRACE_FILE") is { Length: > 0 } path
        ? Libc.open(path, Libc.O_WRONLY | 0x400 /* O_APPEND */ | Libc.O_CREAT | Libc.O_CLOEXEC, 0x1A4 /* 0644 */)
        : -1;

    public static bool On => Fd >= 0;

    public static unsafe void Step(string step, string? id = null)
    {
        if (Fd < 0)
        {
            return;
        }
        var ns = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
        var line = Encoding.UTF8.GetBytes(
            $"{{\"t\":{ns},\"step\":\"{step}\",\"comp\":\"psc-runc\",\"pid\":{Environment.ProcessId},\"id\":\"{id}\"}}\n");
        fixed (byte* p = line)
        {
            _ = Libc.write(Fd, p, (nuint)line.Length);
        }
    }
}
