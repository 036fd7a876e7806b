extern alias runc;

using System.Text.Json;
using PSContainer.Shim.Processes;
using RuncCli = runc::PSContainer.Runc.Cli;
using RuncLib = runc::PSContainer.Runc;
using RuncOci = runc::PSContainer.Oci;

namespace PSContainer.Shim.Runtime;

/// <summary>
/// psc-runc's library (ContainerRuntime) called in the shim's own process: create, start and
/// delete of a `run --rm` cost no runtime process start (three .NET starts on the CLI path).
/// The container's init and exec processes are cloned with CLONE_PARENT, so they are the shim's
/// children as on the CLI path; the library waits for its own helper processes (psc-nsexec's
/// stage 0, hooks), and every call is wrapped in <see cref="Reaper.HostedCall"/> so the shim's
/// reaper does not take their statuses from it. The calls block (sync sockets, the exec fifo), so
/// they run on a pool thread. Failures keep the runtime's one-line message, as from the CLI's log.
/// </summary>
internal sealed class HostedRuntime : IOciRuntime
{
    private readonly RuncLib.ContainerRuntime _runtime;
    private readonly Reaper _reaper;

    public HostedRuntime(string? root, Reaper reaper)
    {
        _reaper = reaper;
        var options = RuncCli.RuntimeComposition.Options(root ?? RuncLib.Container.StateStore.DefaultRoot, new RuncCli.RuncLog(null, false, false))
            with
            {
                Debug = null,
                Warn = message => ShimLog.Warn($"runtime: {message}"),
            };
        _runtime = new RuncLib.ContainerRuntime(options);
    }

    /// <summary>The runtime binary this shim hosts instead of running: psc-runc next to psc-shim.</summary>
    public static string HostablePath => Path.Combine(AppContext.BaseDirectory, "psc-runc");

    /// <summary>
    /// True when <paramref name="runtimePath"/> is the psc-runc built with this shim (same file),
    /// and PSC_SHIM_RUNTIME_CLI=1 does not ask for the CLI path (tests use it to cover both).
    /// </summary>
    public static bool CanHost(string runtimePath)
    {
        if (Environment.GetEnvironmentVariable("PSC_SHIM_RUNTIME_CLI") == "1")
        {
            return false;
        }
        return string.Equals(Resolve(runtimePath), Resolve(HostablePath), StringComparison.Ordinal) && File.Exists(HostablePath);
    }

    private static string Resolve(string path)
    {
        var full = Path.GetFullPath(path);
        try
        {
            return File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName ?? full;
        }
        catch (IOException)
        {
            return full;
        }
    }

    public string Name => "psc-runc (hosted)";

    public Task CreateAsync(string id, string bundle, string pidFile, string? consoleSocket, RuntimeStdio stdio) =>
        CallAsync($"create {id}", () => _runtime.Create(id, bundle, new RuncLib.CreateOptions
        {
            PidFile = pidFile,
            ConsoleSocket = consoleSocket,
            Stdio = [stdio.Stdin, stdio.Stdout, stdio.Stderr],
        }));

    public Task StartAsync(string id) => CallAsync($"start {id}", () => _runtime.Start(id));

    public Task KillAsync(string id, int signal, bool all) => CallAsync($"kill {id} {signal}", () => _runtime.Kill(id, signal, all));

    public Task DeleteAsync(string id, bool force) => CallAsync($"delete {id}", () => _runtime.Delete(id, force));

    public Task ExecAsync(string id, string processFile, string pidFile, string? consoleSocket, RuntimeStdio stdio) =>
        CallAsync($"exec {id}", () =>
        {
            var process = RuncOci.SpecReader.ReadProcess(File.ReadAllBytes(processFile), processFile);
            _runtime.Exec(id, process, new RuncLib.ExecOptions
            {
                PidFile = pidFile,
                ConsoleSocket = consoleSocket,
                Detach = true,
                Stdio = [stdio.Stdin, stdio.Stdout, stdio.Stderr],
            });
        });

    public Task PauseAsync(string id) => CallAsync($"pause {id}", () => _runtime.Pause(id));

    public Task ResumeAsync(string id) => CallAsync($"resume {id}", () => _runtime.Resume(id));

    public Task UpdateAsync(string id, string resourcesFile) => CallAsync($"update {id}", () =>
    {
        var resources = JsonSerializer.Deserialize(File.ReadAllBytes(resourcesFile), RuncOci.OciJsonContext.Default.LinuxResources)
            ?? new RuncOci.LinuxResources();
        _runtime.Update(id, resources);
    });

    public async Task<int[]> PidsAsync(string id)
    {
        int[] pids = [];
        await CallAsync($"ps {id}", () => pids = [.. _runtime.Ps(id)]).ConfigureAwait(false);
        return pids;
    }

    public async Task<JsonElement> StatsAsync(string id)
    {
        string? data = null;
        await CallAsync($"events --stats {id}", () => data = _runtime.Stats(id)).ConfigureAwait(false);
        using var document = JsonDocument.Parse(data ?? "{}");
        return document.RootElement.Clone();
    }

    private Task CallAsync(string operation, Action call) => Task.Run(() =>
    {
        using var hosted = _reaper.HostedCall();
        try
        {
            call();
        }
        catch (RuncLib.RuncException e)
        {
            throw new RuntimeException($"{Name} {operation}", e.ExitCode, e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException
            or RuncOci.InvalidSpecException)
        {
            throw new RuntimeException($"{Name} {operation}", 1, e.Message);
        }
    });
}
