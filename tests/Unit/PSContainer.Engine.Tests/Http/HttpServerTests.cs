using System.Text;
using PSContainer.Engine.Api.Http;
using PSContainer.Engine.Errors;
using Xunit;

namespace PSContainer.Engine.Tests.Http;

public sealed class HttpServerTests
{
    private static void MapSamples(Router router) => router
        .Map("GET", "/_ping", (_, response, ct) => response.WriteTextAsync(200, "OK", cancellationToken: ct))
        .Map("HEAD", "/_ping", (_, response, ct) => response.WriteTextAsync(200, "OK", cancellationToken: ct))
        .Map("GET", "/containers/{id}/json", (request, _, _) => throw EngineException.NoSuchContainer(request.Route("id")))
        .Map("POST", "/containers/{id}/start", (_, _, _) => throw EngineException.NotModified("already started"))
        .Map("GET", "/images/{name*}/json", (request, response, ct) => response.WriteTextAsync(200, request.Route("name"), cancellationToken: ct))
        .Map("POST", "/echo", async (request, response, ct) =>
        {
            using var reader = new StreamReader(request.Body);
            await response.WriteTextAsync(200, await reader.ReadToEndAsync(ct), cancellationToken: ct);
        })
        .Map("POST", "/hijack", async (request, response, ct) =>
        {
            using var reader = new StreamReader(request.Body, leaveOpen: true);
            var body = await reader.ReadToEndAsync(ct);
            var connection = await response.HijackAsync(request.WantsUpgrade, "application/vnd.docker.raw-stream", ct);
            await connection.Stream.WriteAsync(Encoding.ASCII.GetBytes($"body={body};"), ct);
            var buffer = new byte[64];
            var n = await connection.Stream.ReadAsync(buffer, ct);
            await connection.Stream.WriteAsync(Encoding.ASCII.GetBytes("got=" + Encoding.ASCII.GetString(buffer, 0, n)), ct);
            connection.CloseOutput();
        });

    [Fact]
    public async Task PingAnswersWithApiVersionHeaderOnBothMethods()
    {
        await using var server = new TestServer(MapSamples);
        using var client = server.Connect();
        client.Send("GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n");
        var (status, headers, body) = client.ReadResponse();
        Assert.Equal(200, status);
        Assert.Equal("OK", body);
        Assert.Equal(PSContainer.Engine.Api.ApiVersion.Current, headers["Api-Version"]);

        client.Send("HEAD /_ping HTTP/1.1\r\nHost: docker\r\n\r\n");
        var head = client.ReadResponse(head: true);
        Assert.Equal(200, head.Status);
        Assert.Equal("2", head.Headers["Content-Length"]); // the length of the GET body, no body bytes
    }

    [Theory]
    [InlineData("/v1.47/containers/abc/json")]
    [InlineData("/v1.24/containers/abc/json")]
    [InlineData("/containers/abc/json")]
    public async Task VersionPrefixIsOptionalAndErrorsAreDockerJson(string path)
    {
        await using var server = new TestServer(MapSamples);
        using var client = server.Connect();
        client.Send($"GET {path} HTTP/1.1\r\nHost: docker\r\n\r\n");
        var (status, headers, body) = client.ReadResponse();
        Assert.Equal(404, status);
        Assert.Equal("application/json", headers["Content-Type"]);
        Assert.Equal("{\"message\":\"No such container: abc\"}", body);
    }

    [Theory]
    [InlineData("/v1.12/_ping", "too old")]
    [InlineData("/v1.99/_ping", "too new")]
    public async Task VersionsOutsideTheRangeAreRejected(string path, string expected)
    {
        await using var server = new TestServer(MapSamples);
        using var client = server.Connect();
        client.Send($"GET {path} HTTP/1.1\r\n\r\n");
        var (status, _, body) = client.ReadResponse();
        Assert.Equal(400, status);
        Assert.Contains(expected, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotModifiedHasNoBodyAndKeepsTheConnection()
    {
        await using var server = new TestServer(MapSamples);
        using var client = server.Connect();
        client.Send("POST /containers/x/start HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
        Assert.Equal(304, client.ReadResponse().Status);
        client.Send("GET /_ping HTTP/1.1\r\n\r\n");
        Assert.Equal("OK", client.ReadResponse().Body);
    }

    [Fact]
    public async Task UnknownPathIs404AndWrongMethodIs400()
    {
        await using var server = new TestServer(MapSamples);
        using var client = server.Connect();
        client.Send("GET /nothing/here HTTP/1.1\r\n\r\n");
        Assert.Equal(404, client.ReadResponse().Status);
        client.Send("DELETE /_ping HTTP/1.1\r\n\r\n");
        Assert.Equal(400, client.ReadResponse().Status);
    }

    [Fact]
    public async Task ImageNamesWithSlashesAndColonsReachTheHandler()
    {
        await using var server = new TestServer(MapSamples);
        using var client = server.Connect();
        client.Send("GET /v1.47/images/localhost:5000/team/app:1.0/json HTTP/1.1\r\n\r\n");
        Assert.Equal("localhost:5000/team/app:1.0", client.ReadResponse().Body);
    }

    [Fact]
    public async Task ChunkedRequestBodiesAreDecodedAndTheConnectionIsReused()
    {
        await using var server = new TestServer(MapSamples);
        using var client = server.Connect();
        client.Send("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
        Assert.Equal("hello world", client.ReadResponse().Body);
        client.Send("POST /echo HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
        Assert.Equal("abc", client.ReadResponse().Body);
    }

    [Fact]
    public async Task UpgradeRequestWithABodyIsHijackedWith101AndCarriesRawBytesBothWays()
    {
        // docker exec start: POST with a JSON body and Connection: Upgrade / Upgrade: tcp.
        await using var server = new TestServer(MapSamples);
        using var client = server.Connect();
        client.Send("POST /hijack HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 2\r\n\r\n{}");
        var (status, headers) = client.ReadHead();
        Assert.Equal(101, status);
        Assert.Equal("tcp", headers["Upgrade"]);
        Assert.Equal("Upgrade", headers["Connection"]);
        Assert.Equal("body={};", Encoding.ASCII.GetString(client.ReadExactly("body={};".Length)));
        client.Send("ping");
        Assert.Equal("got=ping", Encoding.ASCII.GetString(client.ReadToEnd()));
    }

    [Fact]
    public async Task HijackWithoutUpgradeAnswers200()
    {
        await using var server = new TestServer(MapSamples);
        using var client = server.Connect();
        client.Send("POST /hijack HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
        var (status, headers) = client.ReadHead();
        Assert.Equal(200, status);
        Assert.Equal("application/vnd.docker.raw-stream", headers["Content-Type"]);
    }

    [Fact]
    public async Task MalformedRequestLineGets400()
    {
        await using var server = new TestServer(MapSamples);
        using var client = server.Connect();
        client.Send("NONSENSE\r\n\r\n");
        Assert.Equal(400, client.ReadResponse().Status);
    }

    [Fact]
    public void QueryStringsDecodeRepeatsAndEscapes()
    {
        var query = HttpServer.ParseQuery("names=a&names=b%2Fc&filters=%7B%22x%22%3A1%7D&flag");
        Assert.Equal(["a", "b/c"], query["names"]);
        Assert.Equal("{\"x\":1}", query["filters"][0]);
        Assert.Equal("", query["flag"][0]);
    }
}
