using System.Collections.Concurrent;
using PSContainer.ShimApi;

namespace PSContainer.Engine.Core.Tasks;

/// <summary>Where the shims and their runtime are, and where they send events.</summary>
/// <param name="ShimPath">The psc-shim executable.</param>
/// <param name="RuntimePath">The OCI runtime the shims drive (psc-runc, or runc: same CLI).</param>
/// <param name="RuntimeRoot">The runtime's --root state directory (under the exec root).</param>
/// <param name="SocketDirectory">Where shim sockets go (short: sun_path holds 108 bytes).</param>
/// <param name="EventsSocketPath">The engine's events socket the shims connect to.</param>
/// <param name="WarmSpare">Keep one shim started ahead of need (<see cref="SpareShimPool"/>).</param>
public sealed record ShimManagerOptions(string ShimPath, string RuntimePath, string RuntimeRoot, string SocketDirectory, string EventsSocketPath,
    bool WarmSpare = true);

/// <summary>
/// Containerd's task service as far as the engine needs it: starts one shim server per container
/// directly (<see cref="ShimServerLauncher"/>), keeps a <see cref="ShimClient"/> per container, reconnects to the shims of
/// known containers when the engine starts again, and cleans up after shims that are gone with
/// `psc-shim delete`. Also owns the events socket on which shims report create/start/exit/delete.
/// </summary>
public sealed class ShimManager(ShimManagerOptions options) : ITaskManager
{
    private readonly ConcurrentDictionary<string, ShimClient> _clients = new(StringComparer.Ordinal);
    private readonly SpareShimPool? _spares = options.WarmSpare
        ? new SpareShimPool(cancellationToken => ShimServerLauncher.StartSpareAsync(
            new ShimStartOptions(options.ShimPath, "spare", "/", options.EventsSocketPath, options.RuntimePath, options.RuntimeRoot,
                SocketDirectory: options.SocketDirectory), cancellationToken))
        : null;
    private ShimEventListener? _events;

    public ShimManagerOptions Options { get; } = options;

    /// <summary>Starts receiving shim events; the handler runs before the event is acknowledged.</summary>
    public void ListenForEvents(Func<ShimEvent, CancellationToken, ValueTask> handler)
    {
        if (_events is not null)
        {
            throw new InvalidOperationException("already listening for shim events");
        }
        _events = ShimEventListener.Start(Options.EventsSocketPath, handler);
        // No spare yet: the first start fills the pool, so the engine's own start-up (cold start
        // to /_ping) does not share the CPU with a shim's, and an engine that never runs a
        // container keeps no shim.
    }

    public string SocketPathFor(string containerId, string bundle) => ShimPaths.SocketPath(Options.SocketDirectory, containerId, bundle);

    public async Task<ShimClient> StartAsync(string containerId, string bundle, long? logMaxSize, int? logMaxFiles, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Options.SocketDirectory);
        var address = await BindSpareAsync(containerId, bundle, logMaxSize, logMaxFiles, cancellationToken).ConfigureAwait(false)
            // No spare: the server directly (one .NET process start); `psc-shim start` stays for other callers.
            ?? await ShimServerLauncher.StartAsync(StartOptions(containerId, bundle, logMaxSize, logMaxFiles), cancellationToken).ConfigureAwait(false);
        var client = await ShimClient.ConnectAsync(address, containerId, cancellationToken: cancellationToken).ConfigureAwait(false);
        PscTrace.Step("engine.shim.connected", containerId);
        await Replace(containerId, client).ConfigureAwait(false);
        return client;
    }

    /// <summary>The address of the warm spare bound to this container; null when there is no spare or it failed.</summary>
    private async Task<string?> BindSpareAsync(string containerId, string bundle, long? logMaxSize, int? logMaxFiles, CancellationToken cancellationToken)
    {
        if (_spares is null || await _spares.TakeAsync(cancellationToken).ConfigureAwait(false) is not { } spare)
        {
            return null;
        }
        await using (spare.ConfigureAwait(false))
        {
            try
            {
                PscTrace.Step("engine.shim.bind", containerId);
                return await spare.BindAsync(containerId, bundle, logMaxSize, logMaxFiles, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ShimException or ShimProtocolException
                || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // A spare that broke (or exited) is not an error of this start: start a shim the ordinary way.
                return null;
            }
        }
    }

    public async Task<ShimReconnect> ReconnectAsync(string containerId, string bundle, string? socketPath, CancellationToken cancellationToken)
    {
        // The address the shim printed at start is the truth; the computed path is the fallback.
        var socket = string.IsNullOrEmpty(socketPath) ? SocketPathFor(containerId, bundle) : socketPath;
        if (!Path.Exists(socket))
        {
            return new ShimReconnect(null, $"no shim socket at {socket}");
        }
        try
        {
            var client = await ShimClient.ConnectAsync(socket, containerId, TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
            await Replace(containerId, client).ConfigureAwait(false);
            return new ShimReconnect(client, null);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or TimeoutException or OperationCanceledException or ShimProtocolException or ShimException)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            // A socket file without a live shim behind it: the caller cleans up with `psc-shim delete`.
            return new ShimReconnect(null, $"{socket}: {e.GetType().Name}: {e.Message}");
        }
    }

    public ShimClient? Get(string containerId) => _clients.TryGetValue(containerId, out var client) ? client : null;

    public async Task<ShimExitRecord> CleanupAsync(string containerId, string bundle, CancellationToken cancellationToken)
    {
        await ForgetAsync(containerId).ConfigureAwait(false);
        return await ShimLauncher.DeleteAsync(StartOptions(containerId, bundle, null, null), cancellationToken).ConfigureAwait(false);
    }

    public async Task ForgetAsync(string containerId)
    {
        if (_clients.TryRemove(containerId, out var client))
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task Replace(string containerId, ShimClient client)
    {
        ShimClient? old = null;
        _clients.AddOrUpdate(containerId, client, (_, previous) =>
        {
            old = previous;
            return client;
        });
        if (old is not null && !ReferenceEquals(old, client))
        {
            await old.DisposeAsync().ConfigureAwait(false);
        }
    }

    private ShimStartOptions StartOptions(string containerId, string bundle, long? logMaxSize, int? logMaxFiles) =>
        new(Options.ShimPath, containerId, bundle, Options.EventsSocketPath, Options.RuntimePath, Options.RuntimeRoot,
            logMaxSize, logMaxFiles, Options.SocketDirectory);

    public async ValueTask DisposeAsync()
    {
        if (_spares is not null)
        {
            await _spares.DisposeAsync().ConfigureAwait(false);
        }
        if (_events is not null)
        {
            await _events.DisposeAsync().ConfigureAwait(false);
        }
        foreach (var id in _clients.Keys.ToList())
        {
            await ForgetAsync(id).ConfigureAwait(false);
        }
    }
}

/// <summary>The outcome of a reconnect: the client, or why there is none.</summary>
public sealed record ShimReconnect(ShimClient? Client, string? Failure);
