using PSContainer.ShimApi;

namespace PSContainer.Engine.Core.Tasks;

/// <summary>The daemon's view of the shims: the seam that lets daemon tests run without processes.</summary>
public interface ITaskManager : IAsyncDisposable
{
    /// <summary>Runs `psc-shim start` for the container's bundle and connects to the shim.</summary>
    Task<ShimClient> StartAsync(string containerId, string bundle, long? logMaxSize, int? logMaxFiles, CancellationToken cancellationToken);

    /// <summary>Connects to the running shim of a container known from before; no client (and the reason) when it is gone.</summary>
    Task<ShimReconnect> ReconnectAsync(string containerId, string bundle, string? socketPath, CancellationToken cancellationToken);

    /// <summary>The connected client, or null.</summary>
    ShimClient? Get(string containerId);

    /// <summary>`psc-shim delete`: cleans up after a shim that is gone and returns the exit it recorded.</summary>
    Task<ShimExitRecord> CleanupAsync(string containerId, string bundle, CancellationToken cancellationToken);

    /// <summary>Drops the connection to a shim (after it shut down).</summary>
    Task ForgetAsync(string containerId);

    /// <summary>Starts the events socket.</summary>
    void ListenForEvents(Func<ShimEvent, CancellationToken, ValueTask> handler);
}
