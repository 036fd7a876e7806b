using PSContainer.Interop.Linux;

namespace PSContainer.Runc;

/// <summary>psc-runc's startup steps in PSC_TRACE_FILE (see <see cref="TraceFile"/>), named psc-runc wherever the runtime runs.</summary>
public static class Trace
{
    public static int Fd => TraceFile.Fd;

    public static bool On => TraceFile.On;

    public static void Step(string step, string? id = null) => TraceFile.Step("psc-runc", step, id);
}
