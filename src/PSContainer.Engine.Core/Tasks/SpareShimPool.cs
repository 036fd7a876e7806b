using PSContainer.ShimApi;

namespace PSContainer.Engine.Core.Tasks;

/// <summary>
/// Keeps one warm spare shim (DESIGN.md §3a): a shim server started ahead of need, so that starting
/// a container binds it instead of waiting for a .NET process start. The first take finds none and
/// starts one; every take starts the next in the background. At most one spare exists per engine: disposing the pool closes its
/// connection and the spare exits; if the engine dies the kernel closes that connection and the
/// spare exits the same way (see SpareServer in psc-shim).
/// </summary>
public sealed class SpareShimPool(Func<CancellationToken, Task<SpareShim>> start) : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task<SpareShim>? _next;
    private bool _disposed;

    /// <summary>Starts a spare now unless one is there or on its way.</summary>
    public void Fill()
    {
        lock (_gate)
        {
            if (_disposed || _next is not null)
            {
                return;
            }
            _next = Task.Run(() => start(_stopping.Token));
        }
    }

    /// <summary>
    /// The spare, once ready (a spare still starting is waited for: it is further along than a new
    /// shim would be), and starts the next; null when there is none or it failed to start.
    /// </summary>
    public async Task<SpareShim?> TakeAsync(CancellationToken cancellationToken)
    {
        Task<SpareShim>? next;
        lock (_gate)
        {
            next = _next;
            _next = null;
        }
        Fill();
        if (next is null)
        {
            return null;
        }
        try
        {
            return await next.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or System.Net.Sockets.SocketException
            or ShimException or ShimProtocolException or OperationCanceledException or Interop.Linux.SyscallException)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                // The spare may still come up: it must not be left running unbound.
                _ = DisposeWhenReadyAsync(next);
                throw;
            }
            return null;
        }
    }

    private static async Task DisposeWhenReadyAsync(Task<SpareShim> spare)
    {
        try
        {
            await (await spare.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or System.Net.Sockets.SocketException
            or ShimException or ShimProtocolException or OperationCanceledException or Interop.Linux.SyscallException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task<SpareShim>? next;
        lock (_gate)
        {
            _disposed = true;
            next = _next;
            _next = null;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (next is not null)
        {
            await DisposeWhenReadyAsync(next).ConfigureAwait(false);
        }
        _stopping.Dispose();
    }
}
