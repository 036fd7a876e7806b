using PSContainer.Engine.Core.Distribution;
using PSContainer.Oci;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Engine.Core.IntegrationTests.Distribution;

/// <summary>Pushes loaded images into the real distribution registry and reads them back with skopeo and with a pull.</summary>
public sealed class RegistryPushTests
{
    private static async Task<CoreFixture> LoadedCoreAsync()
    {
        var core = new CoreFixture("overlayfs");
        await using var archive = File.OpenRead(TestEnvironment.Image("busybox-oci.tar"));
        await core.Services.Archives.LoadAsync(archive, new Archive.LoadOptions { DefaultRepository = "busybox" });
        return core;
    }

    [RequiresRootTheory]
    [InlineData(8 << 20)] // one PUT per blob
    [InlineData(64 << 10)] // PATCH chunks, then the closing PUT
    public async Task A_pushed_image_has_the_same_digest_at_the_registry_and_pulls_back_identically(int chunkSize)
    {
        using var registry = new LocalRegistry();
        using var source = await LoadedCoreAsync();
        var image = source.Services.Images.Tag("busybox:latest", $"{registry.Domain}/pushed:v1");
        var distribution = new DistributionService(source.Services.Content, source.Services.Images, source.Services.Unpacker, source.Services.Gc,
            new RegistryOptions { UploadChunkSize = chunkSize });
        var events = new List<TransferProgress>();

        var pushed = await distribution.PushAsync($"{registry.Domain}/pushed:v1", progress: new Recorder(events));

        Assert.Equal(image.Target.Digest, pushed.Digest);
        Assert.Equal($"v1: digest: {image.Target.Digest} size: {image.Target.Size}", events[^1].Status);
        Assert.Contains(events, e => e.Status == "Pushed");
        Assert.Equal(pushed.Digest.ToString(), registry.SkopeoDigest("pushed:v1"));
        // As dockerd: the push records the repository's digest reference (RepoDigests).
        Assert.Equal(image.Id, source.Services.Images.Get($"{registry.Domain}/pushed@{pushed.Digest}").Id);

        using var target = new CoreFixture("native");
        var pulled = await target.Services.Distribution.PullAsync($"{registry.Domain}/pushed:v1");
        Assert.Equal(image.Id, pulled.Image.Id);

        // Again: the registry has every blob; then another repository of the image mounts them.
        events.Clear();
        await distribution.PushAsync($"{registry.Domain}/pushed:v1", progress: new Recorder(events));
        Assert.Contains(events, e => e.Status == "Layer already exists");
        Assert.DoesNotContain(events, e => e.Status == "Pushed");
        source.Services.Images.Tag("busybox:latest", $"{registry.Domain}/copy:v2");
        events.Clear();
        await distribution.PushAsync($"{registry.Domain}/copy:v2", progress: new Recorder(events));
        Assert.Contains(events, e => e.Status == "Mounted from pushed");
        Assert.Equal(pushed.Digest.ToString(), registry.SkopeoDigest("copy:v2"));
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
