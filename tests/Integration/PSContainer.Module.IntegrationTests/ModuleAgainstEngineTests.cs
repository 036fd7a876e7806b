using PSContainer.Module.Client;
using PSContainer.Module.Core;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Module.IntegrationTests;

/// <summary>
/// The module's client and core against a real psc-engine: what the cmdlets do, step by step,
/// with busybox loaded from the test images.
/// </summary>
public sealed class ModuleAgainstEngineTests : IClassFixture<EngineProcess>
{
    private readonly EngineProcess _engine;

    public ModuleAgainstEngineTests(EngineProcess engine) => _engine = engine;

    private async Task<EngineClient> ClientWithBusyboxAsync()
    {
        var client = new EngineClient(await _engine.StartAsync());
        var images = await client.ListImagesAsync(false, null, CancellationToken.None);
        if (!images.Any(i => i.RepoTags.Any(t => t.EndsWith("busybox:latest", StringComparison.Ordinal))))
        {
            await using var archive = File.OpenRead(TestEnvironment.Image("busybox-docker.tar"));
            var aggregator = new ProgressAggregator("Loading");
            await foreach (var message in client.LoadImageAsync(archive, CancellationToken.None))
            {
                aggregator.Add(message);
            }
            Assert.NotEmpty(LoadedImages.Parse(aggregator.Messages));
        }
        return client;
    }

    private static string NewName() => "it-" + Guid.NewGuid().ToString("N")[..10];

    [RequiresRootFact]
    public async Task The_Engine_Describes_Itself_And_The_Version_Is_Negotiated()
    {
        using var client = new EngineClient(await _engine.StartAsync());
        var negotiated = await client.NegotiateAsync(CancellationToken.None);
        var info = ResourceConverter.ToEngineInfo(await client.VersionAsync(CancellationToken.None), await client.InfoAsync(CancellationToken.None),
            client.Endpoint.ToString(), negotiated);
        Assert.True(Version.Parse(negotiated) <= Version.Parse(EngineClient.ClientApiVersion));
        Assert.Equal(client.Endpoint.ToString(), info.Endpoint);
        Assert.NotEmpty(info.Version);
        Assert.NotEmpty(info.ApiVersion);
    }

    [RequiresRootFact]
    public async Task A_Loaded_Image_Is_Listed_One_Object_Per_Tag_And_Inspected_By_Reference()
    {
        using var client = await ClientWithBusyboxAsync();
        var images = (await client.ListImagesAsync(false, null, CancellationToken.None)).SelectMany(i => ImageConverter.FromSummary(i, "e")).ToList();
        var busybox = Assert.Single(ImageMatcher.Match(images, "busybox:latest"));
        Assert.True(busybox.Size > 0);
        var inspected = ImageConverter.FromInspect(await client.InspectImageAsync("busybox:latest", CancellationToken.None), "e", "busybox:latest");
        Assert.Equal(busybox.Id, inspected.Id);
        Assert.NotEmpty(inspected.Layers);
    }

    [RequiresRootFact]
    public async Task A_Foreground_Run_Streams_Output_And_Reports_The_Exit_Code_And_Removes_Itself()
    {
        using var client = await ClientWithBusyboxAsync();
        var name = NewName();
        var run = new CommandRun(client);
        var lines = new List<ContainerLogLine>();
        await foreach (var line in run.RunAsync(new ContainerCreateOptions
        {
            Image = "busybox",
            Name = name,
            Command = ["sh", "-c", "echo out; echo err >&2; exit 3"],
            AutoRemove = true,
        }, _ => null, CancellationToken.None))
        {
            lines.Add(line);
        }

        Assert.Contains(lines, l => l.Line == "out" && l.Stream == ContainerOutputStream.StdOut);
        Assert.Contains(lines, l => l.Line == "err" && l.Stream == ContainerOutputStream.StdErr);
        Assert.Equal(3, run.ExitCode);
        var error = await Assert.ThrowsAsync<EngineException>(() => client.InspectContainerAsync(name, CancellationToken.None));
        Assert.Equal(EngineErrorKind.ContainerNotFound, error.Kind);
    }

    [RequiresRootFact]
    public async Task A_Detached_Container_Can_Be_Found_Logged_Exec_d_Into_Stopped_And_Removed()
    {
        using var client = await ClientWithBusyboxAsync();
        var name = NewName();
        var request = ContainerCreateRequestBuilder.Build(new ContainerCreateOptions
        {
            Image = "busybox",
            Name = name,
            Command = ["sh", "-c", "echo ready; echo $GREETING; exec sleep 600"],
            Environment = ["GREETING=hello"],
            Labels = ["suite=module-it"],
        }, _ => null);
        var created = await client.CreateContainerAsync(request, name, CancellationToken.None);
        try
        {
            Assert.True(await client.StartContainerAsync(created.Id, CancellationToken.None));

            var query = new ContainerQuery(client);
            var found = await query.FindAsync(new ContainerFilter { Names = [name[..6] + "*"], Labels = ["suite=module-it"] }, CancellationToken.None);
            var container = Assert.Single(found.Found, c => c.Name == name);
            Assert.Equal(ContainerState.Running, container.State);
            Assert.Equal(created.Id, (await query.ResolveAsync(created.Id[..12], CancellationToken.None)).Id);

            var inspected = ContainerConverter.FromInspect(await client.InspectContainerAsync(name, CancellationToken.None), "e");
            Assert.Equal(ContainerState.Running, inspected.State);
            Assert.NotNull(inspected.Pid);
            Assert.Equal("module-it", inspected.Labels["suite"]);

            var logs = await ReadLogsAsync(client, created.Id, name, until: "hello");
            Assert.Equal(["ready", "hello"], logs.Select(l => l.Line).Take(2));
            Assert.All(logs, l => Assert.NotNull(l.Time));

            var exec = new CommandRun(client);
            var output = new List<string>();
            await foreach (var line in exec.ExecAsync(created.Id, name, new ExecOptions { Command = ["sh", "-c", "cat; echo done; exit 5"], AttachStdin = true }, "piped\n", _ => null, CancellationToken.None))
            {
                output.Add(line.Line);
            }
            Assert.Equal(["piped", "done"], output);
            Assert.Equal(5, exec.ExitCode);

            await client.StopContainerAsync(created.Id, 1, null, CancellationToken.None);
            var stopped = ContainerConverter.FromInspect(await client.InspectContainerAsync(created.Id, CancellationToken.None), "e");
            Assert.Equal(ContainerState.Exited, stopped.State);
            Assert.NotNull(stopped.ExitCode);
            Assert.False(await client.StopContainerAsync(created.Id, 1, null, CancellationToken.None));
        }
        finally
        {
            await client.RemoveContainerAsync(created.Id, force: true, volumes: true, CancellationToken.None);
        }
        var gone = await Assert.ThrowsAsync<EngineException>(() => client.InspectContainerAsync(created.Id, CancellationToken.None));
        Assert.Equal(EngineErrorKind.ContainerNotFound, gone.Kind);
    }

    [RequiresRootFact]
    public async Task Engine_Errors_Arrive_With_Stable_Kinds()
    {
        using var client = await ClientWithBusyboxAsync();
        var missingImage = await Assert.ThrowsAsync<EngineException>(() => client.CreateContainerAsync(
            ContainerCreateRequestBuilder.Build(new ContainerCreateOptions { Image = "no-such-image-" + Guid.NewGuid().ToString("N")[..6] }, _ => null), null, CancellationToken.None));
        Assert.Equal(EngineErrorKind.ImageNotFound, missingImage.Kind);

        var name = NewName();
        var request = ContainerCreateRequestBuilder.Build(new ContainerCreateOptions { Image = "busybox", Command = ["true"] }, _ => null);
        var first = await client.CreateContainerAsync(request, name, CancellationToken.None);
        try
        {
            var conflict = await Assert.ThrowsAsync<EngineException>(() => client.CreateContainerAsync(request, name, CancellationToken.None));
            Assert.Equal(EngineErrorKind.NameConflict, conflict.Kind);
        }
        finally
        {
            await client.RemoveContainerAsync(first.Id, force: true, volumes: false, CancellationToken.None);
        }
    }

    [RequiresRootFact]
    public async Task Events_Record_A_Containers_Life()
    {
        using var client = await ClientWithBusyboxAsync();
        var since = EngineTime.ToApiTimestamp(DateTime.Now.AddSeconds(-1));
        var run = new CommandRun(client);
        var name = NewName();
        await foreach (var _ in run.RunAsync(new ContainerCreateOptions { Image = "busybox", Name = name, Command = ["true"], AutoRemove = true }, _ => null, CancellationToken.None))
        {
        }
        var until = EngineTime.ToApiTimestamp(DateTime.Now.AddSeconds(1));
        var events = new List<ContainerEvent>();
        await foreach (var message in client.EventsAsync(since, until, null, CancellationToken.None))
        {
            events.Add(ResourceConverter.ToEvent(message));
        }
        var mine = events.Where(e => e.ActorName == name).Select(e => e.Action).ToList();
        Assert.Contains("create", mine);
        Assert.Contains("start", mine);
        Assert.True(mine.IndexOf("create") < mine.IndexOf("start"), string.Join(",", mine));
    }

    private static async Task<List<ContainerLogLine>> ReadLogsAsync(EngineClient client, string id, string name, string until)
    {
        // Follow the log until the expected line arrives: no sleeps, and a cap so a broken engine fails instead of hanging.
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = await client.ContainerLogsAsync(id, new LogOptions { Follow = true, Timestamps = true }, cancel.Token);
        await using var body = await response.Content.ReadAsStreamAsync(cancel.Token);
        var lines = new List<ContainerLogLine>();
        await foreach (var line in ContainerOutputReader.ReadLinesAsync(new MultiplexedStreamReader(body, raw: false), id, name, true, cancel.Token))
        {
            lines.Add(line);
            if (line.Line == until)
            {
                break;
            }
        }
        return lines;
    }
}
