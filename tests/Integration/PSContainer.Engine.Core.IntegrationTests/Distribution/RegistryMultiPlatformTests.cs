using System.Net.Http.Headers;
using System.Text.Json;
using PSContainer.Engine.Core.Content;
using PSContainer.Engine.Core.Distribution;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.Engine.Core.Images;
using PSContainer.Oci;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Engine.Core.IntegrationTests.Distribution;

/// <summary>
/// A multi-platform OCI index in the real registry: linux/amd64 (the test image) and a linux/arm64/v8
/// variant built from it (same layers, its own config), pushed by the engine, the index PUT on top.
/// </summary>
public sealed class RegistryMultiPlatformTests
{
    [RequiresRootFact]
    public async Task A_pull_picks_the_hosts_platform_from_the_index_or_the_one_asked_for_and_names_a_missing_one()
    {
        using var registry = new LocalRegistry();
        using var source = new CoreFixture("native");
        await using (var archive = File.OpenRead(TestEnvironment.Image("busybox-oci.tar")))
        {
            await source.Services.Archives.LoadAsync(archive, new Archive.LoadOptions { DefaultRepository = "busybox" });
        }
        var amd64 = source.Services.Images.Tag("busybox:latest", $"{registry.Domain}/multi/busybox:amd64");
        var arm64 = await MakeVariantAsync(source.Services, amd64, $"{registry.Domain}/multi/busybox:arm64", "arm64", "v8");
        var pushedAmd64 = await source.Services.Distribution.PushAsync($"{registry.Domain}/multi/busybox:amd64");
        var pushedArm64 = await source.Services.Distribution.PushAsync($"{registry.Domain}/multi/busybox:arm64");
        var indexDigest = await PutIndexAsync(registry, "multi/busybox", "latest",
            Entry(pushedArm64, "arm64", "v8"), Entry(pushedAmd64, "amd64", null));
        Assert.Equal(indexDigest.ToString(), registry.SkopeoDigest("multi/busybox:latest"));

        using var target = new CoreFixture("native");
        var host = await target.Services.Distribution.PullAsync($"{registry.Domain}/multi/busybox");
        Assert.Equal(amd64.Id, host.Image.Id);
        Assert.Equal(indexDigest, host.Digest);
        Assert.Equal(indexDigest, host.Image.Index!.Digest);
        Assert.Equal(pushedAmd64.Digest, host.Image.Target.Digest);

        var other = await target.Services.Distribution.PullAsync($"{registry.Domain}/multi/busybox:latest",
            new Platform { OS = "linux", Architecture = "arm64" });
        Assert.Equal(arm64.Id, other.Image.Id);
        Assert.Equal("arm64", other.Image.Config.Architecture);
        Assert.Equal(pushedArm64.Digest, other.Image.Target.Digest);

        var missing = await Assert.ThrowsAsync<CoreException>(() => target.Services.Distribution.PullAsync(
            $"{registry.Domain}/multi/busybox:latest", new Platform { OS = "linux", Architecture = "s390x" }));
        Assert.Equal(CoreErrorKind.NotFound, missing.Kind);
        Assert.Contains("no matching manifest for linux/s390x", missing.Message, StringComparison.Ordinal);
        Assert.Contains("linux/arm64/v8", missing.Message, StringComparison.Ordinal);
        Assert.Contains("linux/amd64", missing.Message, StringComparison.Ordinal);
    }

    /// <summary>The image's manifest with a config that says another architecture: a new image over the same layers.</summary>
    private static async Task<Image> MakeVariantAsync(CoreServices core, Image image, string name, string architecture, string variant)
    {
        var config = JsonSerializer.Deserialize(core.Content.ReadAllBytes(image.Manifest.Config.Digest), ImageJsonContext.Default.OciImage)!;
        config.Architecture = architecture;
        config.Variant = variant;
        var configBytes = JsonSerializer.SerializeToUtf8Bytes(config, ImageJsonContext.Default.OciImage);
        var configDescriptor = await core.Content.WriteBlobAsync(image.Manifest.Config.MediaType, configBytes);
        var manifest = new ImageManifest
        {
            SchemaVersion = 2,
            MediaType = MediaTypes.OciManifest,
            Config = configDescriptor,
            Layers = image.Manifest.Layers,
        };
        var manifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest, ImageJsonContext.Default.ImageManifest);
        var manifestDescriptor = await core.Content.WriteBlobAsync(MediaTypes.OciManifest, manifestBytes);
        return core.Images.Create(manifestDescriptor, [ImageReference.ParseNormalized(name)]);
    }

    private static Descriptor Entry(PushResult pushed, string architecture, string? variant) => new()
    {
        MediaType = MediaTypes.OciManifest,
        Digest = pushed.Digest,
        Size = pushed.Size,
        Platform = new Platform { OS = "linux", Architecture = architecture, Variant = variant },
    };

    private static async Task<Digest> PutIndexAsync(LocalRegistry registry, string repository, string tag, params Descriptor[] manifests)
    {
        var index = new ImageIndex { SchemaVersion = 2, MediaType = MediaTypes.OciIndex, Manifests = [.. manifests] };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(index, ImageJsonContext.Default.ImageIndex);
        using var http = new HttpClient();
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(MediaTypes.OciIndex);
        using var response = await http.PutAsync(new Uri($"http://{registry.Domain}/v2/{repository}/manifests/{tag}"), content);
        Assert.True(response.IsSuccessStatusCode, $"PUT index: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return Digest.FromBytes(bytes);
    }
}
