using System.Net;
using System.Text;
using PSContainer.Module.Client;
using PSContainer.Module.Tests.FakeEngine;
using Xunit;

namespace PSContainer.Module.Tests.Client;

public class UploadTests
{
    [Fact]
    public async Task Load_Sends_The_Whole_Archive_And_Reads_A_Chunked_Progress_Answer()
    {
        await using var server = new FakeEngineServer();
        var archive = new byte[300_000];
        Random.Shared.NextBytes(archive);
        server.Map("POST", "/images/load", request => new FakeResponse
        {
            Chunked = true,
            Streamer = async (stream, token) =>
            {
                var text = $"{{\"status\":\"Loading layer\",\"id\":\"abc\",\"progressDetail\":{{\"current\":{request.Body.Length},\"total\":{request.Body.Length}}}}}\n"
                    + "{\"stream\":\"Loaded image: busybox:latest\\n\"}\n";
                await stream.WriteAsync(Encoding.UTF8.GetBytes(text), token);
            },
        });
        using var client = server.CreateClient();

        var messages = new List<Api.ProgressMessage>();
        await foreach (var message in client.LoadImageAsync(new MemoryStream(archive), CancellationToken.None))
        {
            messages.Add(message);
        }

        Assert.Equal(archive.Length, messages[0].ProgressDetail!.Total);
        Assert.Equal("Loaded image: busybox:latest\n", messages[1].Stream);
        var request = Assert.Single(server.Requests, r => r.Path == "/images/load");
        Assert.Equal(archive, request.Body);
        Assert.Equal("application/x-tar", request.Headers["Content-Type"]);
        Assert.Equal("chunked", request.Headers["Transfer-Encoding"]);
        Assert.Equal("1.43", request.ApiVersion);
    }

    [Fact]
    public async Task An_Upload_Refused_By_The_Engine_Is_A_Typed_Error()
    {
        await using var server = new FakeEngineServer();
        server.Map("PUT", "/containers/web/archive", _ => FakeResponse.Error(HttpStatusCode.NotFound, "No such container: web"));
        using var client = server.CreateClient();

        var error = await Assert.ThrowsAsync<EngineException>(() => client.PutArchiveAsync("web", "/tmp", new MemoryStream([1, 2, 3]), true, CancellationToken.None));

        Assert.Equal(EngineErrorKind.ContainerNotFound, error.Kind);
        var request = Assert.Single(server.Requests, r => r.Path == "/containers/web/archive");
        Assert.Equal("/tmp", request.QueryValue("path"));
        Assert.Equal("1", request.QueryValue("noOverwriteDirNonDir"));
    }

    [Fact]
    public async Task A_Put_Archive_Completes_The_Upload_Before_Returning()
    {
        await using var server = new FakeEngineServer();
        server.Map("PUT", "/containers/web/archive", _ => FakeResponse.Empty(HttpStatusCode.OK));
        using var client = server.CreateClient();
        await client.PutArchiveAsync("web", "/", new MemoryStream(new byte[100_000]), false, CancellationToken.None);
        Assert.Equal(100_000, Assert.Single(server.Requests, r => r.Path == "/containers/web/archive").Body.Length);
    }
}
