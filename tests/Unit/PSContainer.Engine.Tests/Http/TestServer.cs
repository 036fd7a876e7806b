using Microsoft.Extensions.Logging.Abstractions;
using PSContainer.Engine.Api;
using PSContainer.Engine.Api.Http;

namespace PSContainer.Engine.Tests.Http;

/// <summary>An HttpServer with the API dispatcher on a socket in a temp directory, stopped on dispose.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("psc-engine-test-").FullName;
    private readonly HttpServer _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    public TestServer(Action<Router> map)
    {
        var router = new Router();
        map(router);
        var dispatcher = new ApiDispatcher(router, NullLogger<ApiDispatcher>.Instance);
        _server = new HttpServer(dispatcher.DispatchAsync, NullLogger<HttpServer>.Instance);
        SocketPath = Path.Combine(_directory, "api.sock");
        _server.Listen(SocketPath);
        _run = _server.RunAsync(_stop.Token);
    }

    public string SocketPath { get; }

    public RawHttpClient Connect() => new(SocketPath);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _server.DisposeAsync();
        await _run;
        _stop.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
