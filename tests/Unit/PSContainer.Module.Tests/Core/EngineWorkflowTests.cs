using System.Net;
using PSContainer.Module.Client;
using PSContainer.Module.Core;
using PSContainer.Module.Tests.FakeEngine;
using Xunit;

namespace PSContainer.Module.Tests.Core;

/// <summary>The core's multi-request workflows against the fake engine: queries, a foreground run, logs, completion.</summary>
public class EngineWorkflowTests
{
    private const string WebId = "aaaa1111" + "00000000000000000000000000000000000000000000000000000000";
    private const string DbId = "aaaa2222" + "00000000000000000000000000000000000000000000000000000000";

    private static FakeEngineServer WithTwoContainers()
    {
        var server = new FakeEngineServer();
        server.Map("GET", "/containers/json", request => FakeResponse.Json(request.QueryValue("all") == "1"
            ? $$"""[{"Id":"{{WebId}}","Names":["/web"],"State":"running","Status":"Up","Created":1},{"Id":"{{DbId}}","Names":["/db"],"State":"exited","Status":"Exited (0) 1 second ago","Created":1}]"""
            : $$"""[{"Id":"{{WebId}}","Names":["/web"],"State":"running","Status":"Up","Created":1}]"""));
        return server;
    }

    [Fact]
    public async Task Get_Container_Lists_Running_By_Default_And_Everything_When_Asked_By_Name()
    {
        await using var server = WithTwoContainers();
        using var client = server.CreateClient();
        var query = new ContainerQuery(client);

        Assert.Equal(["web"], (await query.FindAsync(new ContainerFilter(), CancellationToken.None)).Found.Select(c => c.Name));
        Assert.Equal(["web", "db"], (await query.FindAsync(new ContainerFilter { All = true }, CancellationToken.None)).Found.Select(c => c.Name));

        var byName = await query.FindAsync(new ContainerFilter { Names = ["d*", "nope", "web"] }, CancellationToken.None);
        Assert.Equal(["db", "web"], byName.Found.Select(c => c.Name));
        var miss = Assert.Single(byName.Misses);
        Assert.Equal(EngineErrorKind.ContainerNotFound, miss.Kind);
        Assert.Contains("'nope'", miss.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task States_And_Labels_Go_To_The_Engine_As_Filters_And_Filtered_Names_Are_No_Error()
    {
        await using var server = WithTwoContainers();
        using var client = server.CreateClient();
        var result = await new ContainerQuery(client).FindAsync(
            new ContainerFilter { Names = ["nope"], States = [ContainerState.Exited], Labels = ["app=web"] }, CancellationToken.None);

        Assert.Empty(result.Misses);
        var request = server.Requests.Last(r => r.Path == "/containers/json");
        Assert.Equal("1", request.QueryValue("all"));
        Assert.Contains("\"status\":[\"exited\"]", request.QueryValue("filters"), StringComparison.Ordinal);
        Assert.Contains("\"label\":[\"app=web\"]", request.QueryValue("filters"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_Uses_One_Cached_List_And_Refuses_Ambiguous_Prefixes()
    {
        await using var server = WithTwoContainers();
        using var client = server.CreateClient();
        var query = new ContainerQuery(client);

        Assert.Equal(DbId, (await query.ResolveAsync("db", CancellationToken.None)).Id);
        Assert.Equal(WebId, (await query.ResolveAsync("aaaa1", CancellationToken.None)).Id);
        var error = await Assert.ThrowsAsync<EngineException>(() => query.ResolveAsync("aaaa", CancellationToken.None));
        Assert.Equal(EngineErrorKind.AmbiguousName, error.Kind);
        Assert.Single(server.Requests, r => r.Path == "/containers/json");
        Assert.Equal(2, (await query.MatchAsync("*", CancellationToken.None)).Count);
    }

    [Fact]
    public async Task A_Full_Id_Goes_Straight_To_The_Engine()
    {
        await using var server = WithTwoContainers();
        using var client = server.CreateClient();
        Assert.Equal(WebId, (await new ContainerQuery(client).ResolveAsync(WebId, CancellationToken.None)).Id);
        Assert.DoesNotContain(server.Requests, r => r.Path == "/containers/json");
    }

    [Fact]
    public async Task A_Foreground_Run_Waits_Before_Starting_Streams_Output_And_Reports_The_Exit_Code()
    {
        await using var server = new FakeEngineServer();
        var started = new TaskCompletionSource();
        var order = new System.Collections.Concurrent.ConcurrentQueue<string>();
        server.Map("POST", "/containers/create", _ => { order.Enqueue("create"); return FakeResponse.Json($$"""{"Id":"{{WebId}}","Warnings":[]}""", HttpStatusCode.Created); });
        server.Map("POST", $"/containers/{WebId}/wait", request => FakeResponse.Stream("application/json", async (stream, token) =>
        {
            order.Enqueue("wait:" + request.QueryValue("condition"));
            await started.Task.WaitAsync(token);
            await stream.WriteAsync("{\"StatusCode\":7}\n"u8.ToArray(), token);
        }));
        server.Map("POST", $"/containers/{WebId}/attach", _ => FakeResponse.Hijack(async (socket, stream, token) =>
        {
            order.Enqueue("attach");
            await started.Task.WaitAsync(token);
            await stream.WriteAsync(FakeResponse.Frame(1, "hello\nworld"), token);
            await stream.WriteAsync(FakeResponse.Frame(2, "warning\n"), token);
            socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        }));
        server.Map("POST", $"/containers/{WebId}/start", _ => { order.Enqueue("start"); started.TrySetResult(); return FakeResponse.Empty(); });
        using var client = server.CreateClient();
        var run = new CommandRun(client);

        var lines = new List<ContainerLogLine>();
        await foreach (var line in run.RunAsync(new ContainerCreateOptions { Image = "busybox", Command = ["sh", "-c", "echo hello"], AutoRemove = true }, _ => null, CancellationToken.None))
        {
            lines.Add(line);
        }

        Assert.Equal([("hello", ContainerOutputStream.StdOut), ("warning", ContainerOutputStream.StdErr), ("world", ContainerOutputStream.StdOut)],
            lines.Select(l => (l.Line, l.Stream)).OrderBy(l => l.Line));
        Assert.Equal(7, run.ExitCode);
        var steps = order.ToList();
        Assert.Equal("create", steps[0]);
        Assert.True(steps.IndexOf("wait:removed") < steps.IndexOf("start"), string.Join(",", steps));
        Assert.True(steps.IndexOf("attach") < steps.IndexOf("start"), string.Join(",", steps));
    }

    [Fact]
    public async Task Logs_With_Timestamps_Become_Lines_With_Times()
    {
        await using var server = new FakeEngineServer();
        server.Map("GET", "/containers/web/logs", request => FakeResponse.Stream("application/vnd.docker.multiplexed-stream", async (stream, token) =>
        {
            Assert.Equal("1", request.QueryValue("timestamps"));
            Assert.Equal("5", request.QueryValue("tail"));
            await stream.WriteAsync(FakeResponse.Frame(1, "2024-05-01T10:00:00.000000001Z GET / 200\n2024-05-01T10:00:01Z GET /x 404\n"), token);
            await stream.WriteAsync(FakeResponse.Frame(2, "2024-05-01T10:00:02Z oops\n"), token);
        }));
        using var client = server.CreateClient();
        using var response = await client.ContainerLogsAsync("web", new LogOptions { Timestamps = true, Tail = 5 }, CancellationToken.None);
        await using var body = await response.Content.ReadAsStreamAsync();

        var lines = new List<ContainerLogLine>();
        await foreach (var line in ContainerOutputReader.ReadLinesAsync(new MultiplexedStreamReader(body, raw: false), "id", "web", true, CancellationToken.None))
        {
            lines.Add(line);
        }

        Assert.Equal(["GET / 200", "GET /x 404", "oops"], lines.Select(l => l.Line));
        Assert.Equal(ContainerOutputStream.StdErr, lines[2].Stream);
        Assert.Equal(new DateTime(2024, 5, 1, 10, 0, 1, DateTimeKind.Utc), lines[1].Time!.Value.ToUniversalTime());
        Assert.All(lines, l => Assert.Equal("web", l.ContainerName));
    }

    [Fact]
    public async Task Completion_Offers_Matching_Names_And_Is_Silent_Without_An_Engine()
    {
        await using var server = WithTwoContainers();
        server.Map("GET", "/volumes", _ => FakeResponse.Json("""{"Volumes":[{"Name":"data"},{"Name":"db-data"}],"Warnings":[]}"""));

        Assert.Equal(["db"], CompletionSource.Complete(CompletionKind.Container, server.Endpoint.ToString(), "d", TimeSpan.FromSeconds(30)).Select(c => c.Text));
        Assert.Equal(["web"], CompletionSource.Complete(CompletionKind.RunningContainer, server.Endpoint.ToString(), "", TimeSpan.FromSeconds(30)).Select(c => c.Text));
        Assert.Equal(["data", "db-data"], CompletionSource.Complete(CompletionKind.Volume, server.Endpoint.ToString(), "*data", TimeSpan.FromSeconds(30)).Select(c => c.Text));
        Assert.Empty(CompletionSource.Complete(CompletionKind.Image, "unix:///nonexistent/engine.sock", "", TimeSpan.FromSeconds(30)));
        Assert.Empty(CompletionSource.Complete(CompletionKind.Image, "not an endpoint", "", TimeSpan.FromSeconds(30)));
    }
}
