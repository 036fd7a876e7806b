using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using PSContainer.Interop.Linux;
using PSContainer.Shim.Commands;
using PSContainer.Shim.Processes;
using PSContainer.ShimApi;

namespace PSContainer.Shim.Server;

/// <summary>
/// A shim started ahead of need (a warm spare): the .NET start-up is paid before any container
/// asks for it. It listens on its spare socket, says ready, and takes exactly one connection, its
/// engine's. On that connection a <see cref="BindRequest"/> turns it into the shim of a container.
/// If the connection ends first (the engine stopped or died: the kernel closes its end), or no
/// engine connects within <see cref="ConnectLimit"/>, the spare exits, so it never outlives the
/// engine that started it, by more than that limit.
/// </summary>
internal sealed class SpareServer : IAsyncDisposable
{
    public static readonly TimeSpan ConnectLimit = TimeSpan.FromSeconds(60);

    private readonly ShimOptions _options;
    private readonly Socket _listener;
    private NetworkStream? _engine;

    private SpareServer(ShimOptions options, Socket listener)
    {
        _options = options;
        _listener = listener;
    }

    /// <summary>The options of the container it was bound to; null when the engine went away first.</summary>
    public ShimOptions? Bound { get; private set; }

    public static async Task<SpareServer> WaitForBindAsync(ShimOptions options)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("psc-shim runs on Linux only");
        }
        var path = options.SpareSocket!;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.Delete(path);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        var spare = new SpareServer(options, listener);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            listener.Listen(1);
            if (options.ReadyFd is { } readyFd)
            {
                using var ready = new FileDescriptor(readyFd);
                ready.WriteAll("ready\n"u8);
            }
            using (var limit = new CancellationTokenSource(ConnectLimit))
            {
                try
                {
                    var socket = await listener.AcceptAsync(limit.Token).ConfigureAwait(false);
                    spare._engine = new NetworkStream(socket, ownsSocket: true);
                }
                catch (OperationCanceledException)
                {
                    ShimLog.Warn($"spare: no engine connected within {ConnectLimit.TotalSeconds:0} s");
                    return spare;
                }
            }
            spare.Bound = await spare.ServeUntilBindAsync().ConfigureAwait(false);
            return spare;
        }
        catch
        {
            await spare.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Answers the Bind (the container's socket listens now) and lets go of the spare socket.</summary>
    public async Task AcknowledgeAsync(string address)
    {
        await ReplyAsync(new ShimResponse(new BoundResult(address))).ConfigureAwait(false);
        await DisposeAsync().ConfigureAwait(false);
        DeleteLog(); // its lines go to the bundle's shim.log since the Bind
    }

    /// <summary>Removes the spare's own log (stdout and stderr before a Bind) next to its socket.</summary>
    public void DeleteLog() => File.Delete(Path.ChangeExtension(_options.SpareSocket!, ".log"));

    private async Task<ShimOptions?> ServeUntilBindAsync()
    {
        while (await ShimProtocol.ReadFrameAsync(_engine!, CancellationToken.None).ConfigureAwait(false) is { } frame)
        {
            try
            {
                var request = JsonSerializer.Deserialize(frame, ShimJsonContext.Default.ShimRequest) ?? throw ShimFailure.Invalid("empty request");
                switch (request)
                {
                    case ConnectRequest connect when connect.ProtocolVersion != ShimProtocol.Version:
                        throw new ShimFailure(ShimErrorCode.VersionMismatch, $"client speaks protocol {connect.ProtocolVersion}, this shim {ShimProtocol.Version}");
                    case ConnectRequest:
                        await ReplyAsync(new ShimResponse(new ConnectResult(Environment.ProcessId, ShimProtocol.Version, 0, "spare"))).ConfigureAwait(false);
                        break;
                    case BindRequest bind:
                        var bound = Bind(bind);
                        PscTrace.Step("shim.bound", bound.Id);
                        return bound;
                    default:
                        throw ShimFailure.Precondition($"this is a spare shim: it takes Connect and Bind only, not {request.GetType().Name}");
                }
            }
            catch (Exception e) when (e is ShimFailure or JsonException or NotSupportedException or IOException or UnauthorizedAccessException)
            {
                var error = e is ShimFailure failure ? new ShimError(failure.Code, failure.Message) : new ShimError(ShimErrorCode.InvalidArgument, e.Message);
                await ReplyAsync(new ShimResponse(null, error)).ConfigureAwait(false);
            }
        }
        return null;
    }

    /// <summary>Checks the Bind and moves this process's log (stdout, stderr) into the bundle.</summary>
    private ShimOptions Bind(BindRequest request)
    {
        if (request.ContainerId.Length is 0 or > 1024 || request.ContainerId.Contains('/', StringComparison.Ordinal) || request.ContainerId is "." or "..")
        {
            throw ShimFailure.Invalid($"'{request.ContainerId}' is not a valid container id");
        }
        var bundle = Path.GetFullPath(request.Bundle);
        if (!Directory.Exists(bundle))
        {
            throw ShimFailure.Invalid($"bundle {bundle}: no such directory");
        }
        var logMaxSize = request.LogMaxSize ?? _options.LogMaxSize;
        var logMaxFiles = request.LogMaxFiles ?? _options.LogMaxFiles;
        if (logMaxSize < 0 || logMaxFiles < 1)
        {
            throw ShimFailure.Invalid($"log max size {logMaxSize} must be >= 0 and max files {logMaxFiles} >= 1");
        }
        var log = Path.Combine(bundle, ShimPaths.ShimLogFile);
        var fd = Libc.open(log, Libc.O_WRONLY | 0x400 /* O_APPEND */ | Libc.O_CREAT | Libc.O_CLOEXEC, 0x1A4 /* 0644 */);
        if (fd < 0)
        {
            throw SyscallException.FromLastError("open", log);
        }
        try
        {
            Libc.Check(Libc.dup3(fd, 1, 0), "dup3", $"{log} as stdout");
            Libc.Check(Libc.dup3(fd, 2, 0), "dup3", $"{log} as stderr");
        }
        finally
        {
            Libc.close(fd);
        }
        ShimLog.Info(string.Create(CultureInfo.InvariantCulture, $"spare {Environment.ProcessId} bound to {request.ContainerId}"));
        return _options with
        {
            Id = request.ContainerId,
            Bundle = bundle,
            LogMaxSize = logMaxSize,
            LogMaxFiles = logMaxFiles,
            ReadyFd = null,
            SpareSocket = null,
        };
    }

    private Task ReplyAsync(ShimResponse response) =>
        ShimProtocol.WriteFrameAsync(_engine!, JsonSerializer.SerializeToUtf8Bytes(response, ShimJsonContext.Default.ShimResponse), CancellationToken.None).AsTask();

    public async ValueTask DisposeAsync()
    {
        if (_engine is not null)
        {
            await _engine.DisposeAsync().ConfigureAwait(false);
            _engine = null;
        }
        _listener.Dispose();
        if (_options.SpareSocket is { } path)
        {
            File.Delete(path);
        }
    }
}
