using System.Text.Json;

namespace PSContainer.ShimApi;

/// <summary>
/// The engine's client of one shim. Requests on the main connection run one at a time; Wait and
/// Attach open their own connections, so a blocked Wait never holds up Kill or State. A request
/// that times out or fails on the transport drops the connection; the next request reconnects
/// (the shim keeps all state, so a client can come and go, as an engine restart does).
/// </summary>
public sealed class ShimClient : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ShimConnection? _connection;

    private ShimClient(string socketPath, string containerId, TimeSpan requestTimeout)
    {
        SocketPath = socketPath;
        ContainerId = containerId;
        RequestTimeout = requestTimeout;
    }

    public string SocketPath { get; }

    public string ContainerId { get; }

    /// <summary>Limit for each request except Wait and Attach (which block by design).</summary>
    public TimeSpan RequestTimeout { get; }

    /// <summary>The shim's answer to the handshake of the current connection.</summary>
    public ConnectResult? Hello => _connection?.Hello;

    /// <summary>
    /// Connects to the shim at an address printed by `psc-shim start` ("unix:///path" or a path)
    /// and checks the protocol version (<see cref="ShimErrorCode.VersionMismatch"/>).
    /// </summary>
    public static async Task<ShimClient> ConnectAsync(string address, string containerId, TimeSpan? requestTimeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(containerId);
        var client = new ShimClient(ShimPaths.SocketPathFromAddress(address), containerId, requestTimeout ?? TimeSpan.FromSeconds(30));
        using var timeout = client.Limit(cancellationToken);
        client._connection = await ShimConnection.OpenAsync(client.SocketPath, containerId, timeout.Token).ConfigureAwait(false);
        return client;
    }

    public async Task<int> CreateAsync(CreateRequest request, CancellationToken cancellationToken = default) =>
        Expect<PidResult>(await SendAsync(request, cancellationToken).ConfigureAwait(false)).Pid;

    /// <summary>Starts init (execId null) or an exec; returns its pid.</summary>
    public async Task<int> StartAsync(string? execId = null, CancellationToken cancellationToken = default) =>
        Expect<PidResult>(await SendAsync(new StartRequest(ContainerId, execId), cancellationToken).ConfigureAwait(false)).Pid;

    public async Task<StateResult> StateAsync(string? execId = null, CancellationToken cancellationToken = default) =>
        Expect<StateResult>(await SendAsync(new StateRequest(ContainerId, execId), cancellationToken).ConfigureAwait(false));

    public async Task KillAsync(int signal, bool all = false, string? execId = null, CancellationToken cancellationToken = default) =>
        Expect<EmptyResult>(await SendAsync(new KillRequest(ContainerId, signal, all, execId), cancellationToken).ConfigureAwait(false));

    /// <summary>Adds an exec process; <paramref name="process"/> is an OCI "process" object.</summary>
    public async Task ExecAsync(string execId, JsonElement process, bool terminal = false, bool openStdin = false,
        CancellationToken cancellationToken = default) =>
        Expect<EmptyResult>(await SendAsync(new ExecRequest(ContainerId, execId, process, terminal, openStdin), cancellationToken).ConfigureAwait(false));

    public async Task ResizePtyAsync(ushort width, ushort height, string? execId = null, CancellationToken cancellationToken = default) =>
        Expect<EmptyResult>(await SendAsync(new ResizePtyRequest(ContainerId, width, height, execId), cancellationToken).ConfigureAwait(false));

    public async Task CloseIOAsync(string? execId = null, CancellationToken cancellationToken = default) =>
        Expect<EmptyResult>(await SendAsync(new CloseIORequest(ContainerId, execId), cancellationToken).ConfigureAwait(false));

    public async Task<StatsResult> StatsAsync(CancellationToken cancellationToken = default) =>
        Expect<StatsResult>(await SendAsync(new StatsRequest(ContainerId), cancellationToken).ConfigureAwait(false));

    public async Task PauseAsync(CancellationToken cancellationToken = default) =>
        Expect<EmptyResult>(await SendAsync(new PauseRequest(ContainerId), cancellationToken).ConfigureAwait(false));

    public async Task ResumeAsync(CancellationToken cancellationToken = default) =>
        Expect<EmptyResult>(await SendAsync(new ResumeRequest(ContainerId), cancellationToken).ConfigureAwait(false));

    /// <summary><paramref name="resources"/> is an OCI "linux.resources" object.</summary>
    public async Task UpdateAsync(JsonElement resources, CancellationToken cancellationToken = default) =>
        Expect<EmptyResult>(await SendAsync(new UpdateRequest(ContainerId, resources), cancellationToken).ConfigureAwait(false));

    public async Task<IReadOnlyList<ProcessInfo>> PidsAsync(CancellationToken cancellationToken = default) =>
        Expect<PidsResult>(await SendAsync(new PidsRequest(ContainerId), cancellationToken).ConfigureAwait(false)).Processes;

    public async Task<ExitResult> DeleteAsync(string? execId = null, CancellationToken cancellationToken = default) =>
        Expect<ExitResult>(await SendAsync(new DeleteRequest(ContainerId, execId), cancellationToken).ConfigureAwait(false));

    /// <summary>Asks the shim to exit; it answers first, then exits (see <see cref="ShutdownRequest"/>).</summary>
    public async Task ShutdownAsync(bool now = false, CancellationToken cancellationToken = default) =>
        Expect<EmptyResult>(await SendAsync(new ShutdownRequest(ContainerId, now), cancellationToken).ConfigureAwait(false));

    /// <summary>Waits (no time limit, only cancellation) on a connection of its own for the process's recorded exit.</summary>
    public async Task<ExitResult> WaitAsync(string? execId = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await ShimConnection.OpenAsync(SocketPath, ContainerId, cancellationToken).ConfigureAwait(false);
        return Expect<ExitResult>(await connection.SendAsync(new WaitRequest(ContainerId, execId), cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Opens an attach stream on a connection of its own (several may be open at once).</summary>
    public async Task<ShimAttachSession> AttachAsync(AttachRequest request, CancellationToken cancellationToken = default)
    {
        CheckId(request);
        var connection = await ShimConnection.OpenAsync(SocketPath, ContainerId, cancellationToken).ConfigureAwait(false);
        try
        {
            Expect<EmptyResult>(await connection.SendAsync(request, cancellationToken).ConfigureAwait(false));
            return new ShimAttachSession(connection);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Sends any request on the main connection, reconnecting if the last one was lost.</summary>
    public async Task<ShimResult> SendAsync(ShimRequest request, CancellationToken cancellationToken = default)
    {
        CheckId(request);
        using var timeout = Limit(cancellationToken);
        await _gate.WaitAsync(timeout.Token).ConfigureAwait(false);
        try
        {
            _connection ??= await ShimConnection.OpenAsync(SocketPath, ContainerId, timeout.Token).ConfigureAwait(false);
            try
            {
                return await _connection.SendAsync(request, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not ShimException)
            {
                // The connection is in an unknown place of the conversation: never reuse it.
                await _connection.DisposeAsync().ConfigureAwait(false);
                _connection = null;
                if (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"shim {SocketPath} did not answer {request.GetType().Name} within {RequestTimeout}", e);
                }
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
            _connection = null;
        }
        _gate.Dispose();
    }

    private CancellationTokenSource Limit(CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(RequestTimeout);
        return source;
    }

    private void CheckId(ShimRequest request)
    {
        if (request.ContainerId != ContainerId)
        {
            throw new ArgumentException($"request for container '{request.ContainerId}' sent through the client of '{ContainerId}'", nameof(request));
        }
    }

    private static T Expect<T>(ShimResult result) where T : ShimResult =>
        result as T ?? throw new ShimProtocolException($"expected a {typeof(T).Name}, got {result.GetType().Name}");
}
