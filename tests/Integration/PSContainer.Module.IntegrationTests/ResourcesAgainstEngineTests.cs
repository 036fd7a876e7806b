using PSContainer.Module.Client;
using PSContainer.Module.Core;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Module.IntegrationTests;

/// <summary>
/// What the volume, network, copy and commit cmdlets do, step by step, against the engine's real
/// /volumes, /networks, /containers/{id}/archive and /commit endpoints.
/// </summary>
public sealed class ResourcesAgainstEngineTests : IClassFixture<EngineProcess>
{
    private readonly EngineProcess _engine;

    public ResourcesAgainstEngineTests(EngineProcess engine) => _engine = engine;

    private static string NewName() => "it-" + Guid.NewGuid().ToString("N")[..10];

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
        }
        return client;
    }

    [RequiresRootFact]
    public async Task Volumes_Are_Created_Listed_Completed_Used_And_Removed_With_Stable_Error_Kinds()
    {
        using var client = await ClientWithBusyboxAsync();
        var endpoint = client.Endpoint.ToString();
        var name = NewName();

        var created = ResourceConverter.ToVolume(await client.CreateVolumeAsync(
            new Api.VolumeCreateRequest { Name = name, Labels = new() { ["suite"] = "module-it" } }, CancellationToken.None), endpoint);
        Assert.Equal(name, created.Name);
        Assert.Equal("local", created.Driver);
        Assert.Equal("module-it", created.Labels["suite"]);
        Assert.False(string.IsNullOrEmpty(created.Mountpoint));

        var listed = (await client.ListVolumesAsync(null, CancellationToken.None)).Select(v => ResourceConverter.ToVolume(v, endpoint)).ToList();
        Assert.Contains(listed, v => v.Name == name && v.Driver == "local");
        var dangling = await client.ListVolumesAsync(new Dictionary<string, IReadOnlyList<string>> { ["dangling"] = ["true"] }, CancellationToken.None);
        Assert.Contains(dangling, v => v.Name == name);
        Assert.Contains(CompletionSource.Complete(CompletionKind.Volume, endpoint, name[..6] + "*", TimeSpan.FromSeconds(30)), c => c.Text == name);

        // A container writes into it; removal is refused while the container exists.
        var run = new CommandRun(client);
        var output = new List<string>();
        var containerName = NewName();
        await foreach (var line in run.RunAsync(new ContainerCreateOptions
        {
            Image = "busybox",
            Name = containerName,
            Volumes = [$"{name}:/data"],
            Command = ["sh", "-c", "echo kept > /data/file && cat /data/file"],
        }, _ => null, CancellationToken.None))
        {
            output.Add(line.Line);
        }
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["kept"], output);
        var inUse = await Assert.ThrowsAsync<EngineException>(() => client.RemoveVolumeAsync(name, force: false, CancellationToken.None));
        Assert.Equal(EngineErrorKind.ResourceInUse, inUse.Kind);
        Assert.DoesNotContain(await client.ListVolumesAsync(new Dictionary<string, IReadOnlyList<string>> { ["dangling"] = ["true"] }, CancellationToken.None),
            v => v.Name == name);

        await client.RemoveContainerAsync(containerName, force: true, volumes: false, CancellationToken.None);
        await client.RemoveVolumeAsync(name, force: false, CancellationToken.None);
        var gone = await Assert.ThrowsAsync<EngineException>(() => client.InspectVolumeAsync(name, CancellationToken.None));
        Assert.Equal(EngineErrorKind.VolumeNotFound, gone.Kind);
    }

    [RequiresRootFact]
    public async Task Networks_Are_Created_With_Subnets_Joined_Left_Listed_And_Removed()
    {
        using var client = await ClientWithBusyboxAsync();
        var endpoint = client.Endpoint.ToString();
        var name = NewName();
        var request = NetworkRequests.Create(name, "bridge", "172.31.251.0/24", "172.31.251.1", isInternal: true, ipv6: false, [], ["suite=module-it"]);

        var createdId = (await client.CreateNetworkAsync(request, CancellationToken.None)).Id;
        try
        {
            var network = ResourceConverter.ToNetwork(await client.InspectNetworkAsync(createdId, CancellationToken.None), endpoint);
            Assert.Equal(name, network.Name);
            Assert.Equal("bridge", network.Driver);
            Assert.Equal(["172.31.251.0/24"], network.Subnets);
            Assert.Equal(["172.31.251.1"], network.Gateways);
            Assert.True(network.Internal);
            Assert.Equal("module-it", network.Labels["suite"]);

            var all = (await client.ListNetworksAsync(null, CancellationToken.None)).Select(n => n.Name).ToList();
            Assert.Contains("bridge", all);
            Assert.Contains("host", all);
            Assert.Contains("none", all);
            Assert.Contains(name, all);
            Assert.Contains(CompletionSource.Complete(CompletionKind.Network, endpoint, name, TimeSpan.FromSeconds(30)), c => c.Text == name);
            var conflict = await Assert.ThrowsAsync<EngineException>(() => client.CreateNetworkAsync(request, CancellationToken.None));
            Assert.Equal(EngineErrorKind.NameConflict, conflict.Kind);

            var containerName = NewName();
            var created = await client.CreateContainerAsync(ContainerCreateRequestBuilder.Build(new ContainerCreateOptions
            {
                Image = "busybox",
                Name = containerName,
                Command = ["sleep", "600"],
            }, _ => null), containerName, CancellationToken.None);
            try
            {
                await client.StartContainerAsync(created.Id, CancellationToken.None);
                await client.ConnectNetworkAsync(name, new Api.NetworkConnectRequest
                {
                    Container = created.Id,
                    EndpointConfig = new Api.EndpointSettings { IPAMConfig = new Api.EndpointIpamConfig { IPv4Address = "172.31.251.20" } },
                }, CancellationToken.None);
                var joined = ResourceConverter.ToNetwork(await client.InspectNetworkAsync(name, CancellationToken.None), endpoint);
                Assert.Equal([containerName], joined.Containers);
                var inspected = await client.InspectContainerAsync(created.Id, CancellationToken.None);
                Assert.Equal("172.31.251.20", inspected.NetworkSettings!.Networks![name].IPAddress);

                var busy = await Assert.ThrowsAsync<EngineException>(() => client.RemoveNetworkAsync(name, CancellationToken.None));
                Assert.Equal(EngineErrorKind.ResourceInUse, busy.Kind);
                await client.DisconnectNetworkAsync(name, new Api.NetworkConnectRequest { Container = created.Id }, CancellationToken.None);
                Assert.Empty(ResourceConverter.ToNetwork(await client.InspectNetworkAsync(name, CancellationToken.None), endpoint).Containers);
            }
            finally
            {
                await client.RemoveContainerAsync(created.Id, force: true, volumes: true, CancellationToken.None);
            }
        }
        finally
        {
            await client.RemoveNetworkAsync(createdId, CancellationToken.None);
        }
        var gone = await Assert.ThrowsAsync<EngineException>(() => client.InspectNetworkAsync(name, CancellationToken.None));
        Assert.Equal(EngineErrorKind.NetworkNotFound, gone.Kind);
    }

    [RequiresRootFact]
    public async Task Files_Copied_Into_A_Container_Come_Back_Out_And_Survive_A_Commit_Into_A_New_Image()
    {
        using var client = await ClientWithBusyboxAsync();
        var work = Directory.CreateTempSubdirectory("psc-module-cp-").FullName;
        var containerName = NewName();
        var created = await client.CreateContainerAsync(ContainerCreateRequestBuilder.Build(new ContainerCreateOptions
        {
            Image = "busybox",
            Name = containerName,
            Command = ["sleep", "600"],
        }, _ => null), containerName, CancellationToken.None);
        var imageName = "it-committed:" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var site = Directory.CreateDirectory(Path.Combine(work, "site"));
            File.WriteAllText(Path.Combine(site.FullName, "index.html"), "<h1>hello</h1>\n");
            Directory.CreateDirectory(Path.Combine(site.FullName, "css"));
            File.WriteAllText(Path.Combine(site.FullName, "css", "a.css"), "body{}\n");

            // Copy-ContainerItem -ToContainer into a created (not running) container, then out again.
            using (var tar = new MemoryStream())
            {
                await ArchiveTransfer.PackAsync(site.FullName, "www", tar, CancellationToken.None);
                tar.Position = 0;
                await client.PutArchiveAsync(created.Id, "/tmp", tar, noOverwriteDirNonDir: true, CancellationToken.None);
            }
            var outside = Path.Combine(work, "back");
            Directory.CreateDirectory(outside);
            using (var response = await client.GetArchiveAsync(created.Id, "/tmp/www", CancellationToken.None))
            await using (var body = await response.Content.ReadAsStreamAsync())
            {
                var written = await ArchiveTransfer.UnpackAsync(body, outside, CancellationToken.None);
                Assert.Equal(Path.Combine(outside, "www"), written);
            }
            Assert.Equal("<h1>hello</h1>\n", File.ReadAllText(Path.Combine(outside, "www", "index.html")));
            Assert.Equal("body{}\n", File.ReadAllText(Path.Combine(outside, "www", "css", "a.css")));
            var missing = await Assert.ThrowsAsync<EngineException>(() => client.GetArchiveAsync(created.Id, "/no/such/path", CancellationToken.None));
            Assert.Equal(EngineErrorKind.PathNotFound, missing.Kind);

            // ConvertTo-ContainerImage: the copied files and a changed CMD are in the new image.
            var colon = imageName.IndexOf(':', StringComparison.Ordinal);
            var committed = await client.CommitContainerAsync(created.Id, imageName[..colon], imageName[(colon + 1)..], "module it", "psc",
                pause: true, ["CMD [\"cat\", \"/tmp/www/index.html\"]"], CancellationToken.None);
            var image = ImageConverter.FromInspect(await client.InspectImageAsync(imageName, CancellationToken.None), "e", imageName);
            Assert.Equal(committed.Id, image.Id);
            var run = new CommandRun(client);
            var lines = new List<string>();
            await foreach (var line in run.RunAsync(new ContainerCreateOptions { Image = imageName, AutoRemove = true }, _ => null, CancellationToken.None))
            {
                lines.Add(line.Line);
            }
            Assert.Equal(["<h1>hello</h1>"], lines);
            Assert.Equal(0, run.ExitCode);
        }
        finally
        {
            await client.RemoveContainerAsync(created.Id, force: true, volumes: true, CancellationToken.None);
            try
            {
                await client.RemoveImageAsync(imageName, force: true, noPrune: false, CancellationToken.None);
            }
            catch (EngineException)
            {
                // the commit failed: there is no image
            }
            Directory.Delete(work, recursive: true);
        }
    }
}
