using System.Text;

namespace PSContainer.Interop.Linux;

/// <summary>
/// The PSC_TRACE_FILE writer shared by psc-engine, psc-shim and psc-runc (format in bench/README.md):
/// one JSON line per startup step, each a single write(2) on an O_APPEND fd, so the lines of several
/// processes never interleave. Off (no open, no clock read) when the variable is unset.
/// </summary>
public static class TraceFile
{
    /// <summary>The trace file's fd, or -1 when tracing is off (psc-runc hands it on to psc-nsexec).</summary>
    public static readonly int Fd = Environment.GetEnvironmentVariable("PSC_TRACE_FILE") is { Length: > 0 } path
        ? Libc.open(path, Libc.O_WRONLY | 0x400 /* O_APPEND */ | Libc.O_CREAT | Libc.O_CLOEXEC, 0x1A4 /* 0644 */)
        : -1;

    public static bool On => Fd >= 0;

    /// <param name="component">The "comp" of the line: which program's step it is (psc-runc steps keep
    /// their name when the runtime runs inside the shim).</param>
    public static unsafe void Step(string component, string step, string? id)
    {
        if (Fd < 0)
        {
            return;
        }
        var ns = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
        var line = Encoding.UTF8.GetBytes(
            $"{{\"t\":{ns},\"step\":\"{step}\",\"comp\":\"{component}\",\"pid\":{Environment.ProcessId},\"id\":\"{id}\"}}\n");
        fixed (byte* p = line)
        {
            _ = Libc.write(Fd, p, (nuint)line.Length);
        }
    }
}
