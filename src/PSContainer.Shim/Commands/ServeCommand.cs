using System.Globalization;
using PSContainer.Interop.Linux;
using PSContainer.Shim.Cgroups;
using PSContainer.Shim.Processes;
using PSContainer.Shim.Runtime;
using PSContainer.Shim.Server;
using PSContainer.ShimApi;

namespace PSContainer.Shim.Commands;

/// <summary>
/// `psc-shim serve`: the long-lived server. It becomes a child subreaper (orphans of the runtime,
/// i.e. the container's init and exec processes, become its children), binds its socket, tells
/// its starter it is ready, and serves until a Shutdown. With --spare-socket it first waits,
/// serving no container, for the Bind that names one (<see cref="SpareServer"/>).
/// </summary>
internal static class ServeCommand
{
    public static async Task<int> RunAsync(ShimOptions options)
    {
        PscTrace.Step("shim.main", options.SpareSocket is null ? options.Id : null);
        ServerEnvironment.RestoreAfterStartup();
        Libc.Check(Libc.prctl(Libc.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "prctl PR_SET_CHILD_SUBREAPER");
        ShimCgroup.MoveOut(Environment.ProcessId);
        if (options.SpareSocket is not null)
        {
            await using var spare = await SpareServer.WaitForBindAsync(options).ConfigureAwait(false);
            if (spare.Bound is not { } bound)
            {
                // The ordinary end of a spare (its engine stopped): nothing worth keeping in its log.
                spare.DeleteLog();
                return 0;
            }
            return await ServeAsync(bound, spare.AcknowledgeAsync).ConfigureAwait(false);
        }
        return await ServeAsync(options, null).ConfigureAwait(false);
    }

    /// <summary>Serves one container; <paramref name="listening"/> tells the starter once the socket listens (else the ready fd does).</summary>
    private static async Task<int> ServeAsync(ShimOptions options, Func<string, Task>? listening)
    {
        File.WriteAllText(Path.Combine(options.Bundle, ShimPaths.ShimPidFile), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));

        var config = new ShimConfig(options.Id, options.Bundle, options.Runtime, options.RuntimeRoot, options.Address,
            options.SocketPath, options.LogMaxSize, options.LogMaxFiles);
        var reaper = new Reaper();
        IOciRuntime runtime = HostedRuntime.CanHost(options.Runtime)
            ? new HostedRuntime(options.RuntimeRoot, reaper)
            : new RuntimeCli(options.Runtime, options.RuntimeRoot, config.BundleFile(ShimPaths.RuntimeLogFile), reaper);
        await using var events = new EventPublisher(options.Address, options.Id);
        var tasks = new TaskService(config, runtime, reaper, events);
        var server = new ShimServer(config, tasks);
        using var listener = server.Bind();
        PscTrace.Step("shim.listening", options.Id);
        ShimLog.Info($"serving {options.Id} on {options.SocketPath} (pid {Environment.ProcessId}, runtime {runtime.Name})");
        if (listening is not null)
        {
            await listening(ShimPaths.AddressScheme + options.SocketPath).ConfigureAwait(false);
        }
        else if (options.ReadyFd is { } readyFd)
        {
            using var ready = new FileDescriptor(readyFd);
            ready.WriteAll("ready\n"u8);
        }
        await server.RunAsync(listener).ConfigureAwait(false);
        await events.FlushAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        File.Delete(Path.Combine(options.Bundle, ShimPaths.ShimPidFile));
        ShimLog.Info($"shut down ({events.Pending} events undelivered)");
        return 0;
    }
}
