using PSContainer.Interop.Linux;

namespace PSContainer.ShimApi;

/// <summary>
/// A started shim server that serves no container yet (see <see cref="BindRequest"/>), held by its
/// engine through one open connection. <see cref="BindAsync"/> makes it a container's shim;
/// disposing it unbound closes the connection, on which the spare exits by itself (as it does when
/// the engine dies and the kernel closes the connection).
/// </summary>
public sealed class SpareShim : IAsyncDisposable
{
    private ShimConnection? _connection;

    internal SpareShim(int pid, string socketPath, ShimConnection connection)
    {
        Pid = pid;
        SocketPath = socketPath;
        _connection = connection;
    }

    public int Pid { get; }

    /// <summary>The spare socket (gone once bound or exited).</summary>
    public string SocketPath { get; }

    /// <summary>Binds the spare to a container; returns the address of the container's shim. The spare can be used once.</summary>
    public async Task<string> BindAsync(string containerId, string bundle, long? logMaxSize, int? logMaxFiles, CancellationToken cancellationToken = default)
    {
        var connection = _connection ?? throw new InvalidOperationException($"spare shim {Pid} was already used");
        _connection = null;
        await using (connection.ConfigureAwait(false))
        {
            var result = await connection.SendAsync(new BindRequest(containerId, bundle, logMaxSize, logMaxFiles), cancellationToken).ConfigureAwait(false);
            return result is BoundResult bound
                ? bound.Address
                : throw new ShimProtocolException($"spare shim {Pid} answered Bind with {result.GetType().Name}");
        }
    }

    /// <summary>The longest <see cref="DisposeAsync"/> waits for an unbound spare to exit.</summary>
    private static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(2);

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
            _connection = null;
            // Wait until it is gone, so that an engine stopping next finds the shims' parent
            // cgroup empty and can remove it (the spare leaves it only by exiting).
            await Task.Run(() => WaitForExit(Pid, ExitWait)).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until <paramref name="pid"/> has exited (or was collected already), at most <paramref name="limit"/>.</summary>
    private static unsafe void WaitForExit(int pid, TimeSpan limit)
    {
        var pidFd = Libc.pidfd_open(pid);
        if (pidFd < 0)
        {
            return; // ESRCH: already exited and collected
        }
        try
        {
            var poll = new Libc.PollFd { Fd = pidFd, Events = Libc.POLLIN };
            _ = Libc.poll(&poll, 1, (int)limit.TotalMilliseconds);
        }
        finally
        {
            Libc.close(pidFd);
        }
    }
}
