using PSContainer.Engine.Core.Distribution;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.Oci;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Engine.Core.IntegrationTests.Distribution;

/// <summary>Pulls from the real distribution registry what skopeo pushed into it.</summary>
public sealed class RegistryPullTests
{
    [RequiresRootFact]
    public async Task Busybox_pushed_by_skopeo_pulls_with_the_same_id_as_the_loaded_archive_and_runs_its_layers()
    {
        using var registry = new LocalRegistry();
        registry.SkopeoCopy($"oci-archive:{TestEnvironment.Image("busybox-oci.tar")}", "busybox:latest");
        var registryDigest = Digest.Parse(registry.SkopeoDigest("busybox:latest"));

        using var loaded = new CoreFixture("overlayfs");
        await using (var archive = File.OpenRead(TestEnvironment.Image("busybox-oci.tar")))
        {
            await loaded.Services.Archives.LoadAsync(archive, new Archive.LoadOptions { DefaultRepository = "busybox" });
        }
        var expectedId = Assert.Single(loaded.Services.Images.List()).Id;

        using var pulled = new CoreFixture("overlayfs");
        var events = new List<TransferProgress>();
        var result = await pulled.Services.Distribution.PullAsync($"{registry.Domain}/busybox", progress: new Recorder(events));

        Assert.Equal(expectedId, result.Image.Id);
        Assert.Equal(registryDigest, result.Digest); // what skopeo reads from the registry
        Assert.Equal([$"{registry.Domain}/busybox:latest"], result.Image.RepoTags);
        Assert.Contains(events, e => e.Status == "Pull complete");
        var root = await pulled.MountImageAsync($"{registry.Domain}/busybox");
        Assert.True(File.Exists(Path.Combine(root, "bin", "busybox")));

        var again = await pulled.Services.Distribution.PullAsync($"{registry.Domain}/busybox:latest");
        Assert.True(again.UpToDate);
    }

    [RequiresRootFact]
    public async Task Unknown_repositories_and_tags_report_the_registry_error_codes()
    {
        using var registry = new LocalRegistry();
        registry.SkopeoCopy($"oci-archive:{TestEnvironment.Image("busybox-oci.tar")}", "busybox:latest");
        using var core = new CoreFixture("native");

        var noTag = await Assert.ThrowsAsync<RegistryException>(() => core.Services.Distribution.PullAsync($"{registry.Domain}/busybox:nope"));
        Assert.Equal(CoreErrorKind.NotFound, noTag.Kind);
        Assert.Contains("MANIFEST_UNKNOWN", noTag.Message, StringComparison.Ordinal);

        var noRepo = await Assert.ThrowsAsync<RegistryException>(() => core.Services.Distribution.PullAsync($"{registry.Domain}/missing/repo"));
        Assert.Equal(CoreErrorKind.NotFound, noRepo.Kind);
        // distribution 2.8 answers an unknown repository's manifest with MANIFEST_UNKNOWN too.
        Assert.Contains("MANIFEST_UNKNOWN", noRepo.Message, StringComparison.Ordinal);
        Assert.Empty(core.Services.Images.List());
    }

    private sealed class Recorder(List<TransferProgress> events) : IProgress<TransferProgress>
    {
        public void Report(TransferProgress value)
        {
            lock (events)
            {
                events.Add(value);
            }
        }
    }
}
