using PSContainer.Interop.Linux;

namespace PSContainer.ShimApi;

/// <summary>psc-engine's and psc-shim's startup steps in PSC_TRACE_FILE (see <see cref="TraceFile"/>).</summary>
public static class PscTrace
{
    /// <summary>The "comp" of every line: the executable's name (psc-engine, psc-shim).</summary>
    private static readonly string Component = ComponentName();

    public static bool On => TraceFile.On;

    public static void Step(string step, string? id = null) => TraceFile.Step(Component, step, id);

    private static string ComponentName()
    {
        var name = Path.GetFileNameWithoutExtension(Environment.ProcessPath) ?? "";
        return name is "" or "dotnet" ? System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name ?? "dotnet" : name;
    }
}
