using System.Text;
using PSContainer.Interop.Linux;

namespace PSContainer.ShimApi;

/// <summary>
/// Startup timestamps for bench/ (PSC_TRACE_FILE; format in bench/README.md), written by psc-engine
/// and psc-shim: one JSON line per step, each a single write(2) on an O_APPEND fd, so lines of
/// several processes never interleave. Off when the variable is unset: no open, no clock read.
/// </summary>
public static class PscTrace
{
    /// <summary>The trace file's fd, or -1 when tracing is off.</summary>
    private static readonly int Fd = Environment.GetEnvironmentVariable("PSC_TRACE_FILE") is { Length: > 0 } path
        ? Libc.open(path, Libc.O_WRONLY | 0x400 /* O_APPEND */ | Libc.O_CREAT | Libc.O_CLOEXEC, 0x1A4 /* 0644 */)
        : -1;

    /// <summary>The "comp" of every line: the executable's name (psc-engine, psc-shim).</summary>
    private static readonly string Component = ComponentName();

    public static bool On => Fd >= 0;

    public static unsafe void Step(string step, string? id = null)
    {
        if (Fd < 0)
        {
            return;
        }
        var ns = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
        var line = Encoding.UTF8.GetBytes(
            $"{{\"t\":{ns},\"step\":\"{step}\",\"comp\":\"{Component}\",\"pid\":{Environment.ProcessId},\"id\":\"{id}\"}}\n");
        fixed (byte* p = line)
        {
            _ = Libc.write(Fd, p, (nuint)line.Length);
        }
    }

    private static string ComponentName()
    {
        var name = Path.GetFileNameWithoutExtension(Environment.ProcessPath) ?? "";
        return name is "" or "dotnet" ? System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name ?? "dotnet" : name;
    }
}
