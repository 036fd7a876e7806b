namespace PSContainer.ShimApi;

/// <summary>
/// Runtime knobs of the long-lived shim server that can only be given as environment variables.
/// Whoever starts a server (the engine's <see cref="ShimServerLauncher"/>, `psc-shim start`) adds
/// them unless its caller set them itself (e.g. DOTNET_EnableDiagnostics=1 to debug a shim), and
/// lists what it added in <see cref="AddedList"/>; the server removes those again once the runtime
/// has read them, so the OCI runtime and the containers it starts do not inherit them.
/// </summary>
public static class ShimServerKnobs
{
    public const string AddedList = "PSC_SHIM_ADDED_ENV";

    /// <summary>
    /// DOTNET_EnableDiagnostics=0: no diagnostic IPC server, debugger or profiler attach (three fewer
    /// threads and no socket in /tmp for a JIT-compiled shim, as the test builds run it).
    /// DOTNET_GCgen0size=10000 (hexadecimal, and the GC takes it without a 0x): a 64 KiB gen0 budget instead of one sized from the CPU cache; an
    /// idle shim allocates little, and the default budget kept about 0.5 MiB more private memory
    /// in every shim (README.md "Performance"). The GC reads this one from the environment only.
    /// </summary>
    public static readonly IReadOnlyList<(string Name, string Value)> All =
        [("DOTNET_EnableDiagnostics", "0"), ("DOTNET_GCgen0size", "10000")];

    /// <summary>Sets each knob that is not set yet, and <see cref="AddedList"/> to the ones it set.</summary>
    public static void AddMissing(Func<string, bool> isSet, Action<string, string> set)
    {
        var added = new List<string>();
        foreach (var (name, value) in All)
        {
            if (!isSet(name))
            {
                set(name, value);
                added.Add(name);
            }
        }
        set(AddedList, string.Join(',', added));
    }
}
