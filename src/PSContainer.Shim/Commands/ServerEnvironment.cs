namespace PSContainer.Shim.Commands;

/// <summary>
/// Runtime knobs that can only be given as environment variables. `start` sets them for the server
/// (unless the caller set them itself, e.g. DOTNET_EnableDiagnostics=1 to debug a shim), and the
/// server removes them again once the runtime has read them, so that the OCI runtime and the
/// container processes it starts do not inherit them.
/// </summary>
internal static class ServerEnvironment
{
    private const string AddedList = "PSC_SHIM_ADDED_ENV";

    /// <summary>
    /// DOTNET_EnableDiagnostics=0: no diagnostic IPC server, debugger or profiler attach; three fewer
    /// threads and no socket in /tmp per shim (README.md has the figures).
    /// </summary>
    private static readonly (string Name, string Value)[] Knobs = [("DOTNET_EnableDiagnostics", "0")];

    public static void PrepareForServer()
    {
        var added = new List<string>();
        foreach (var (name, value) in Knobs)
        {
            if (Environment.GetEnvironmentVariable(name) is null)
            {
                Environment.SetEnvironmentVariable(name, value);
                added.Add(name);
            }
        }
        Environment.SetEnvironmentVariable(AddedList, string.Join(',', added));
    }

    public static void RestoreAfterStartup()
    {
        foreach (var name in (Environment.GetEnvironmentVariable(AddedList) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            Environment.SetEnvironmentVariable(name, null);
        }
        Environment.SetEnvironmentVariable(AddedList, null);
    }
}
