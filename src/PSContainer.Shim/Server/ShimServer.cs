using System.Net.Sockets;
using System.Text.Json;
using PSContainer.Shim.Runtime;
using PSContainer.ShimApi;

namespace PSContainer.Shim.Server;

/// <summary>
/// The shim's Unix socket: one accept loop; each connection handles its requests in order. The
/// first request must be Connect (protocol version check); an Attach request hands the connection
/// over to the process's output stream.
/// </summary>
internal sealed class ShimServer(ShimConfig config, TaskService tasks)
{
    private static readonly string ShimVersion = typeof(ShimServer).Assembly.GetName().Version?.ToString() ?? "0";

    private readonly CancellationTokenSource _stop = new();
    private readonly IdleTrim _trim = new();

    /// <summary>Binds the socket (mode 0600, in a 0700 directory) so a client can connect as soon as this returns.</summary>
    public Socket Bind()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("psc-shim runs on Linux only");
        }
        var directory = Path.GetDirectoryName(config.SocketPath)!;
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.Delete(config.SocketPath);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(config.SocketPath));
            File.SetUnixFileMode(config.SocketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            listener.Listen(64);
            return listener;
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    /// <summary>Accepts connections until Shutdown.</summary>
    public async Task RunAsync(Socket listener)
    {
        var accept = AcceptLoopAsync(listener);
        await tasks.ShutdownRequested.ConfigureAwait(false);
        await _stop.CancelAsync().ConfigureAwait(false);
        listener.Dispose();
        try
        {
            await accept.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        File.Delete(config.SocketPath);
        _trim.Dispose();
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (SocketException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            _ = ServeConnectionAsync(client);
        }
    }

    private async Task ServeConnectionAsync(Socket client)
    {
        await using var stream = new NetworkStream(client, ownsSocket: true);
        var connected = false;
        try
        {
            while (await ShimProtocol.ReadFrameAsync(stream, _stop.Token).ConfigureAwait(false) is { } frame)
            {
                ShimRequest? request = null;
                ShimResponse response;
                Io.AttachHub.Subscription? subscription = null;
                try
                {
                    request = JsonSerializer.Deserialize(frame, ShimJsonContext.Default.ShimRequest)
                        ?? throw ShimFailure.Invalid("empty request");
                    if (request.ContainerId != config.ContainerId)
                    {
                        throw ShimFailure.Invalid($"this shim serves container '{config.ContainerId}', not '{request.ContainerId}'");
                    }
                    if (!connected && request is not ConnectRequest)
                    {
                        throw ShimFailure.Precondition("the first request on a connection must be Connect");
                    }
                    if (request is ConnectRequest connect)
                    {
                        if (connect.ProtocolVersion != ShimProtocol.Version)
                        {
                            throw new ShimFailure(ShimErrorCode.VersionMismatch, $"client speaks protocol {connect.ProtocolVersion}, this shim {ShimProtocol.Version}");
                        }
                        connected = true;
                    }
                    response = new ShimResponse(await DispatchAsync(request).ConfigureAwait(false));
                    if (request is AttachRequest attaching)
                    {
                        subscription = tasks.Find(attaching.ExecId).Hub.Subscribe(attaching.Stdout, attaching.Stderr);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException || !_stop.IsCancellationRequested)
                {
                    response = new ShimResponse(null, ToError(e));
                }
                await ShimProtocol.WriteFrameAsync(stream, JsonSerializer.SerializeToUtf8Bytes(response, ShimJsonContext.Default.ShimResponse), _stop.Token).ConfigureAwait(false);
                if (request is StartRequest && response.Error is null)
                {
                    _trim.AfterBurst();
                }
                if (request is ShutdownRequest && response.Error is null)
                {
                    // Only now: stopping earlier could cancel this very answer.
                    tasks.CompleteShutdown();
                    return;
                }
                if (subscription is not null)
                {
                    using (subscription)
                    {
                        await AttachAsync(stream, (AttachRequest)request!, subscription).ConfigureAwait(false);
                    }
                    return;
                }
            }
        }
#pragma warning disable CA1031 // one broken client must never take the shim down
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (e is not (IOException or SocketException))
            {
                ShimLog.Warn($"connection: {e.GetType().Name}: {e.Message}");
            }
        }
#pragma warning restore CA1031
        catch (OperationCanceledException)
        {
        }
    }

    private async Task<ShimResult> DispatchAsync(ShimRequest request) => request switch
    {
        ConnectRequest => new ConnectResult(Environment.ProcessId, ShimProtocol.Version, tasks.InitPid, ShimVersion),
        CreateRequest create => await tasks.CreateAsync(create).ConfigureAwait(false),
        StartRequest start => await tasks.StartAsync(start).ConfigureAwait(false),
        StateRequest state => tasks.Find(state.ExecId).State(config.ContainerId, config.Bundle),
        KillRequest kill => await tasks.KillAsync(kill).ConfigureAwait(false),
        ExecRequest exec => tasks.AddExec(exec),
        ResizePtyRequest resize => Resize(resize),
        CloseIORequest close => CloseIO(close),
        WaitRequest wait => await tasks.Find(wait.ExecId).Exit.WaitAsync(_stop.Token).ConfigureAwait(false),
        StatsRequest => await tasks.StatsAsync().ConfigureAwait(false),
        PauseRequest => await tasks.PauseAsync().ConfigureAwait(false),
        ResumeRequest => await tasks.ResumeAsync().ConfigureAwait(false),
        UpdateRequest update => await tasks.UpdateAsync(update).ConfigureAwait(false),
        PidsRequest => await tasks.PidsAsync().ConfigureAwait(false),
        DeleteRequest delete => await tasks.DeleteAsync(delete).ConfigureAwait(false),
        ShutdownRequest shutdown => tasks.Shutdown(shutdown),
        AttachRequest attach => CheckAttach(attach),
        _ => throw ShimFailure.Invalid($"unknown request {request.GetType().Name}"),
    };

    private ShimResult Resize(ResizePtyRequest request)
    {
        var io = tasks.Find(request.ExecId).Io;
        if (io?.PtyMaster is null)
        {
            throw ShimFailure.Precondition("the process has no terminal");
        }
        io.Resize(request.Width, request.Height);
        return new EmptyResult();
    }

    private ShimResult CloseIO(CloseIORequest request)
    {
        tasks.Find(request.ExecId).Io?.CloseStdin();
        return new EmptyResult();
    }

    private ShimResult CheckAttach(AttachRequest request)
    {
        var process = tasks.Find(request.ExecId);
        if (request.Stdin && !process.OpenStdin && !process.Terminal)
        {
            throw ShimFailure.Precondition("the process was created without an open stdin");
        }
        return new EmptyResult();
    }

    /// <summary>Output frames out, stdin frames in, until the process's exit frame is sent or the client leaves.</summary>
    private async Task AttachAsync(NetworkStream stream, AttachRequest request, Io.AttachHub.Subscription subscription)
    {
        var process = tasks.Find(request.ExecId);
        using var gone = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var input = request.Stdin ? PumpStdinAsync(stream, process, gone) : Task.CompletedTask;
        try
        {
            await subscription.StreamAsync(stream, gone.Token).ConfigureAwait(false);
        }
        finally
        {
            await gone.CancelAsync().ConfigureAwait(false);
            try
            {
                await input.ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
            {
            }
        }
    }

    private static async Task PumpStdinAsync(NetworkStream stream, Processes.ShimProcess process, CancellationTokenSource gone)
    {
        try
        {
            while (await AttachFraming.ReadAsync(stream, gone.Token).ConfigureAwait(false) is { } frame)
            {
                switch (frame.Kind)
                {
                    case AttachFrameKind.Stdin:
                        // A blocking write: a process that does not read its stdin holds this client back, not the shim.
                        var data = frame.Payload;
                        await Task.Run(() => process.Io?.WriteStdin(data.Span), gone.Token).ConfigureAwait(false);
                        break;
                    case AttachFrameKind.CloseStdin:
                        process.Io?.CloseStdin();
                        break;
                    default:
                        throw new ShimProtocolException($"client sent a {frame.Kind} frame on an attach stream");
                }
            }
        }
        finally
        {
            // The client went away: its output stream ends too.
            await gone.CancelAsync().ConfigureAwait(false);
        }
    }

    private static ShimError ToError(Exception e) => e switch
    {
        ShimFailure failure => new ShimError(failure.Code, failure.Message),
        RuntimeException runtime => new ShimError(ShimErrorCode.RuntimeError, runtime.Operation, runtime.RuntimeMessage),
        JsonException json => new ShimError(ShimErrorCode.InvalidArgument, $"malformed request: {json.Message}"),
        NotSupportedException unsupported => new ShimError(ShimErrorCode.InvalidArgument, $"malformed request: {unsupported.Message}"),
        _ => new ShimError(ShimErrorCode.Internal, $"{e.GetType().Name}: {e.Message}"),
    };
}
