using PSContainer.Interop.Linux;

namespace PSContainer.Engine.Core.Networking.Dns;

/// <summary>
/// Runs a short piece of work, typically creating sockets, inside another network namespace
/// without a helper process.
/// </summary>
/// <remarks>
/// A socket belongs to the network namespace of the thread that created it and stays there for its
/// whole life, whichever thread later reads or writes it (socket(7), network_namespaces(7)). And
/// setns(2) with CLONE_NEWNET changes only the calling thread and is allowed in a multi-threaded
/// process (unlike CLONE_NEWUSER or a mount namespace). So a dedicated thread joins the container's
/// namespace, creates and binds the sockets, and goes back to the engine's namespace; the engine
/// then serves those sockets with ordinary async I/O from its thread pool. This is why one engine
/// can serve 127.0.0.11 in every container with no process per container. The dedicated thread is
/// never a pool thread, so a failure to go back cannot leave pool work running in a container's
/// namespace: the thread ends either way.
/// </remarks>
public static class NetworkNamespaceThread
{
    /// <summary>
    /// Runs <paramref name="work"/> on a new thread that has joined the namespace at
    /// <paramref name="netnsPath"/>; the task completes when the thread is done (the caller does not block).
    /// </summary>
    /// <param name="netnsPath">A network namespace file: /proc/PID/ns/net or a bind mount such as /run/netns/NAME.</param>
    public static Task<T> RunAsync<T>(string netnsPath, Func<T> work)
    {
        ArgumentException.ThrowIfNullOrEmpty(netnsPath);
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                completion.SetResult(RunHere(netnsPath, work));
            }
#pragma warning disable CA1031 // Any failure is handed to the awaiting caller.
            catch (Exception e)
#pragma warning restore CA1031
            {
                completion.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "psc-netns",
        };
        thread.Start();
        return completion.Task;
    }

    private static T RunHere<T>(string netnsPath, Func<T> work)
    {
        // The thread's own namespace, not the process's: /proc/thread-self names this thread.
        using var home = File.OpenHandle("/proc/thread-self/ns/net");
        Microsoft.Win32.SafeHandles.SafeFileHandle target;
        try
        {
            target = File.OpenHandle(netnsPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"open network namespace {netnsPath}: {e.Message}", e);
        }
        using (target)
        {
            Libc.Check(Libc.setns((int)target.DangerousGetHandle(), Libc.CLONE_NEWNET), "setns(CLONE_NEWNET)", netnsPath);
        }
        try
        {
            return work();
        }
        finally
        {
            Libc.Check(Libc.setns((int)home.DangerousGetHandle(), Libc.CLONE_NEWNET), "setns(CLONE_NEWNET) back to the engine's namespace", "/proc/thread-self/ns/net");
        }
    }
}
