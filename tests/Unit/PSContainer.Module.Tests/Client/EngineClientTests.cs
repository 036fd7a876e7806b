using System.Net;
using System.Text.Json;
using PSContainer.Module.Client;
using PSContainer.Module.Tests.FakeEngine;
using Xunit;

namespace PSContainer.Module.Tests.Client;

public class EngineClientTests
{
    [Theory]
    [InlineData("1.43", "1.43")]
    [InlineData("1.41", "1.41")]
    [InlineData("1.47", "1.43")]
    [InlineData(null, "1.24")]
    public async Task Negotiation_Uses_The_Lower_Of_The_Engine_And_Client_Versions_On_Every_Path(string? engine, string expected)
    {
        await using var server = new FakeEngineServer(engine);
        server.Map("GET", "/containers/json", _ => FakeResponse.Json("[]"));
        using var client = server.CreateClient();

        var list = await client.ListContainersAsync(false, null, CancellationToken.None);

        Assert.Empty(list);
        Assert.Equal(expected, client.ApiVersion);
        var request = Assert.Single(server.Requests, r => r.Path == "/containers/json");
        Assert.Equal(expected, request.ApiVersion);
        Assert.Single(server.Requests, r => r.Path == "/_ping" && r.ApiVersion is null);
    }

    [Fact]
    public async Task An_Engine_Older_Than_The_Minimum_Is_Refused()
    {
        await using var server = new FakeEngineServer("1.12");
        using var client = server.CreateClient();
        var error = await Assert.ThrowsAsync<EngineException>(() => client.NegotiateAsync(CancellationToken.None));
        Assert.Equal(EngineErrorKind.ApiVersionUnsupported, error.Kind);
        Assert.Contains("1.12", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_Missing_Socket_Is_EngineUnavailable_With_A_Message_Saying_How_To_Start_The_Engine()
    {
        var path = Path.Combine(Path.GetTempPath(), "psc-no-engine-" + Guid.NewGuid().ToString("N") + ".sock");
        using var client = new EngineClient(EngineEndpoint.Parse("unix://" + path, "the -Endpoint parameter"));

        var error = await Assert.ThrowsAsync<EngineException>(() => client.ListContainersAsync(true, null, CancellationToken.None));

        Assert.Equal(EngineErrorKind.EngineUnavailable, error.Kind);
        Assert.Contains("unix://" + path, error.Message, StringComparison.Ordinal);
        Assert.Contains("psc-engine", error.Message, StringComparison.Ordinal);
        Assert.Contains("-Endpoint", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.NotFound, "No such container: web", EngineErrorKind.ContainerNotFound)]
    [InlineData(HttpStatusCode.Conflict, "Conflict. The container name \"/web\" is already in use by container \"abc\".", EngineErrorKind.NameConflict)]
    [InlineData(HttpStatusCode.Conflict, "Container abc is not running", EngineErrorKind.ContainerNotRunning)]
    [InlineData(HttpStatusCode.BadRequest, "invalid restart policy", EngineErrorKind.InvalidArgument)]
    [InlineData(HttpStatusCode.InternalServerError, "boom", EngineErrorKind.EngineError)]
    public async Task Error_Bodies_Become_Typed_Errors_With_The_Engines_Message(HttpStatusCode status, string message, EngineErrorKind kind)
    {
        await using var server = new FakeEngineServer();
        server.Map("POST", "/containers/web/start", _ => FakeResponse.Error(status, message));
        using var client = server.CreateClient();

        var error = await Assert.ThrowsAsync<EngineException>(() => client.StartContainerAsync("web", CancellationToken.None));

        Assert.Equal(kind, error.Kind);
        Assert.Equal(message, error.Message);
        Assert.Equal(status, error.StatusCode);
    }

    [Fact]
    public async Task Start_And_Stop_Report_304_As_Already_Done_Not_As_An_Error()
    {
        await using var server = new FakeEngineServer();
        server.Map("POST", "/containers/web/start", _ => FakeResponse.Empty(HttpStatusCode.NotModified));
        server.Map("POST", "/containers/web/stop", _ => FakeResponse.Empty());
        using var client = server.CreateClient();

        Assert.False(await client.StartContainerAsync("web", CancellationToken.None));
        Assert.True(await client.StopContainerAsync("web", 3, "SIGINT", CancellationToken.None));

        var stop = Assert.Single(server.Requests, r => r.Path == "/containers/web/stop");
        Assert.Equal("3", stop.QueryValue("t"));
        Assert.Equal("SIGINT", stop.QueryValue("signal"));
    }

    [Fact]
    public async Task List_Sends_Filters_As_Docker_Json_And_Reads_The_Rows()
    {
        await using var server = new FakeEngineServer();
        server.Map("GET", "/containers/json", _ => FakeResponse.Json(
            """[{"Id":"4f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff","Names":["/web"],"Image":"busybox","State":"running","Status":"Up 2 minutes","Created":1700000000,"Ports":[{"IP":"0.0.0.0","PrivatePort":80,"PublicPort":8080,"Type":"tcp"}]}]"""));
        using var client = server.CreateClient();

        var filters = new Dictionary<string, IReadOnlyList<string>> { ["status"] = ["running"], ["label"] = ["app=web", "tier"] };
        var rows = await client.ListContainersAsync(true, filters, CancellationToken.None);

        var row = Assert.Single(rows);
        Assert.Equal("/web", Assert.Single(row.Names));
        Assert.Equal(8080, row.Ports[0].PublicPort);
        var request = Assert.Single(server.Requests, r => r.Path == "/containers/json");
        Assert.Equal("1", request.QueryValue("all"));
        using var json = JsonDocument.Parse(request.QueryValue("filters")!);
        Assert.Equal(["app=web", "tier"], json.RootElement.GetProperty("label").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("running", json.RootElement.GetProperty("status")[0].GetString());
    }

    [Fact]
    public async Task Create_Posts_Docker_Field_Names_With_Content_Length_And_The_Name_In_The_Query()
    {
        await using var server = new FakeEngineServer();
        server.Map("POST", "/containers/create", _ => FakeResponse.Json("""{"Id":"abc","Warnings":["low memory"]}""", HttpStatusCode.Created));
        using var client = server.CreateClient();
        var request = Module.Core.ContainerCreateRequestBuilder.Build(new Module.Core.ContainerCreateOptions
        {
            Image = "busybox",
            Command = ["httpd", "-f"],
            Ports = ["8080:80"],
            Memory = 64 * 1024 * 1024,
        }, _ => null);

        var created = await client.CreateContainerAsync(request, "web", CancellationToken.None);

        Assert.Equal("abc", created.Id);
        Assert.Equal("low memory", Assert.Single(created.Warnings));
        var sent = Assert.Single(server.Requests, r => r.Path == "/containers/create");
        Assert.Equal("web", sent.QueryValue("name"));
        Assert.True(sent.Headers.ContainsKey("Content-Length"));
        Assert.Equal("application/json", sent.Headers["Content-Type"]);
        using var body = JsonDocument.Parse(sent.Body);
        Assert.Equal("busybox", body.RootElement.GetProperty("Image").GetString());
        Assert.Equal("8080", body.RootElement.GetProperty("HostConfig").GetProperty("PortBindings").GetProperty("80/tcp")[0].GetProperty("HostPort").GetString());
        Assert.Equal(64 * 1024 * 1024, body.RootElement.GetProperty("HostConfig").GetProperty("Memory").GetInt64());
        Assert.True(body.RootElement.GetProperty("ExposedPorts").TryGetProperty("80/tcp", out _));
    }

    [Fact]
    public async Task Image_References_Keep_Their_Slashes_In_The_Path()
    {
        await using var server = new FakeEngineServer();
        server.Map("GET", "/images/localhost:5000/team/app:1.0/json", _ => FakeResponse.Json("""{"Id":"sha256:aa","RepoTags":["localhost:5000/team/app:1.0"],"Created":"2024-01-02T03:04:05.123456789Z","Size":1000}"""));
        using var client = server.CreateClient();

        var image = await client.InspectImageAsync("localhost:5000/team/app:1.0", CancellationToken.None);

        Assert.Equal("sha256:aa", image.Id);
        Assert.Contains(server.Requests, r => r.RawTarget == "/v1.43/images/localhost%3A5000/team/app%3A1.0/json");
    }

    [Fact]
    public async Task Pull_Sends_Registry_Auth_And_Streams_Progress_Lines()
    {
        await using var server = new FakeEngineServer();
        server.Map("POST", "/images/create", _ => FakeResponse.Stream("application/json", async (stream, token) =>
        {
            foreach (var line in new[]
            {
                """{"status":"Pulling from library/busybox","id":"latest"}""",
                """{"status":"Downloading","progressDetail":{"current":50,"total":100},"id":"aaaaaaaaaaaa"}""",
                """{"status":"Pull complete","progressDetail":{},"id":"aaaaaaaaaaaa"}""",
                """{"status":"Status: Downloaded newer image for busybox:latest"}""",
            })
            {
                await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(line + "\n"), token);
                await stream.FlushAsync(token);
            }
        }));
        using var client = server.CreateClient();

        var messages = new List<Api.ProgressMessage>();
        await foreach (var message in client.PullImageAsync("busybox", "latest", null,
            new Api.AuthConfig { Username = "u", Password = "p", ServerAddress = "docker.io" }, CancellationToken.None))
        {
            messages.Add(message);
        }

        Assert.Equal(4, messages.Count);
        Assert.Equal(50, messages[1].ProgressDetail!.Current);
        var request = Assert.Single(server.Requests, r => r.Path == "/images/create");
        Assert.Equal("busybox", request.QueryValue("fromImage"));
        Assert.Equal("latest", request.QueryValue("tag"));
        var auth = request.Headers["X-Registry-Auth"];
        var padded = auth.Replace('-', '+').Replace('_', '/').PadRight(auth.Length + (4 - auth.Length % 4) % 4, '=');
        using var decoded = JsonDocument.Parse(Convert.FromBase64String(padded));
        Assert.Equal("u", decoded.RootElement.GetProperty("username").GetString());
        Assert.Equal("docker.io", decoded.RootElement.GetProperty("serveraddress").GetString());
    }

    [Fact]
    public async Task Events_Stream_Until_Cancelled()
    {
        await using var server = new FakeEngineServer();
        var release = new TaskCompletionSource();
        server.Map("GET", "/events", _ => FakeResponse.Stream("application/json", async (stream, token) =>
        {
            await stream.WriteAsync("""{"Type":"container","Action":"start","Actor":{"ID":"abc","Attributes":{"name":"web"}},"time":1700000000,"timeNano":1700000000123456789}"""u8.ToArray().Concat("\n"u8.ToArray()).ToArray(), token);
            await stream.FlushAsync(token);
            // A live event stream never ends by itself: only the client's cancellation stops it.
            await Task.WhenAny(release.Task, Task.Delay(Timeout.Infinite, token));
        }));
        using var client = server.CreateClient();
        using var cancel = new CancellationTokenSource();

        var received = new List<Api.EventMessage>();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var message in client.EventsAsync(null, null, null, cancel.Token))
            {
                received.Add(message);
                await cancel.CancelAsync();
            }
        });
        release.SetResult();

        var only = Assert.Single(received);
        Assert.Equal("start", only.Action);
        Assert.Equal("web", only.Actor.Attributes["name"]);
    }

    [Fact]
    public async Task Exec_Is_Hijacked_Stdin_Is_Half_Closed_And_Output_Is_Demultiplexed()
    {
        await using var server = new FakeEngineServer();
        server.Map("POST", "/containers/web/exec", _ => FakeResponse.Json("""{"Id":"exec1"}""", HttpStatusCode.Created));
        server.Map("POST", "/exec/exec1/start", _ => FakeResponse.Hijack(async (socket, stream, token) =>
        {
            // Echo stdin back on stdout after the client half-closes it, then report on stderr.
            using var input = new MemoryStream();
            await stream.CopyToAsync(input, token);
            await stream.WriteAsync(FakeResponse.Frame(1, System.Text.Encoding.UTF8.GetString(input.ToArray())), token);
            await stream.WriteAsync(FakeResponse.Frame(2, "done\n"), token);
            socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        }));
        server.Map("GET", "/exec/exec1/json", _ => FakeResponse.Json("""{"ID":"exec1","Running":false,"ExitCode":3}"""));
        using var client = server.CreateClient();
        var run = new Module.Core.CommandRun(client);

        var lines = new List<ContainerLogLine>();
        await foreach (var line in run.ExecAsync("web", "web", new Module.Core.ExecOptions { Command = ["cat"], AttachStdin = true }, "one\ntwo\n", _ => null, CancellationToken.None))
        {
            lines.Add(line);
        }

        Assert.Equal(["one", "two", "done"], lines.Select(l => l.Line));
        Assert.Equal([ContainerOutputStream.StdOut, ContainerOutputStream.StdOut, ContainerOutputStream.StdErr], lines.Select(l => l.Stream));
        Assert.Equal(3, run.ExitCode);
        var start = Assert.Single(server.Requests, r => r.Path == "/exec/exec1/start");
        Assert.Equal("tcp", start.Headers["Upgrade"]);
        using var body = JsonDocument.Parse(start.Body);
        Assert.False(body.RootElement.GetProperty("Detach").GetBoolean());
        using var create = JsonDocument.Parse(Assert.Single(server.Requests, r => r.Path == "/containers/web/exec").Body);
        Assert.True(create.RootElement.GetProperty("AttachStdin").GetBoolean());
        Assert.Equal("cat", create.RootElement.GetProperty("Cmd")[0].GetString());
    }

    [Fact]
    public async Task A_Hijack_Refused_By_The_Engine_Is_A_Typed_Error()
    {
        await using var server = new FakeEngineServer();
        server.Map("POST", "/exec/gone/start", _ => FakeResponse.Error(HttpStatusCode.NotFound, "No such exec instance: gone"));
        using var client = server.CreateClient();

        var error = await Assert.ThrowsAsync<EngineException>(() => client.StartExecAsync("gone", false, CancellationToken.None));

        Assert.Equal(EngineErrorKind.ExecNotFound, error.Kind);
        Assert.Equal("No such exec instance: gone", error.Message);
    }

    [Fact]
    public async Task Network_Prune_Reads_The_Deleted_Names()
    {
        await using var server = new FakeEngineServer();
        server.Map("POST", "/networks/prune", _ => FakeResponse.Json("""{"NetworksDeleted":["a","b"]}"""));
        using var client = server.CreateClient();
        Assert.Equal(["a", "b"], await client.PruneNetworksAsync(null, CancellationToken.None));
    }
}
