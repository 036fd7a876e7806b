using System.Text.Json;

namespace PSContainer.Shim.Runtime;

/// <summary>
/// The OCI runtime operations the shim uses. Two implementations: <see cref="RuntimeCli"/> runs any
/// runc-compatible binary (runc's command-line contract); <see cref="HostedRuntime"/> calls psc-runc's
/// library in this process, so the hot path pays no runtime process start. Every failure is a
/// <see cref="RuntimeException"/>.
/// </summary>
internal interface IOciRuntime
{
    /// <summary>What the shim's log and errors name: the binary, or "psc-runc (hosted)".</summary>
    string Name { get; }

    /// <summary>Creates the container; its init (waiting for start) ends up a child of the shim. Writes its pid to <paramref name="pidFile"/>.</summary>
    Task CreateAsync(string id, string bundle, string pidFile, string? consoleSocket, RuntimeStdio stdio);

    Task StartAsync(string id);

    Task KillAsync(string id, int signal, bool all);

    Task DeleteAsync(string id, bool force);

    /// <summary>Starts the process in <paramref name="processFile"/> (an OCI process JSON) in the container, detached; writes its pid to <paramref name="pidFile"/>.</summary>
    Task ExecAsync(string id, string processFile, string pidFile, string? consoleSocket, RuntimeStdio stdio);

    Task PauseAsync(string id);

    Task ResumeAsync(string id);

    /// <summary>Applies the LinuxResources JSON in <paramref name="resourcesFile"/>.</summary>
    Task UpdateAsync(string id, string resourcesFile);

    Task<int[]> PidsAsync(string id);

    /// <summary>The cgroup statistics: the "data" object of runc's `events --stats`.</summary>
    Task<JsonElement> StatsAsync(string id);
}
