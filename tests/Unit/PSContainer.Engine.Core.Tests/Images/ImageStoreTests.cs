using System.Text;
using System.Text.Json;
using PSContainer.Engine.Core.Content;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.Engine.Core.Images;
using PSContainer.Engine.Core.Metadata;
using PSContainer.Oci;
using Xunit;

namespace PSContainer.Engine.Core.Tests.Images;

public sealed class ImageStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ContentStore _content;
    private readonly ImageStore _images;

    public ImageStoreTests()
    {
        _content = new ContentStore(_dir.Combine("content"));
        _images = new ImageStore(_content, new MetadataStore(_dir.Combine("metadata")));
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>Writes a config (made unique by <paramref name="seed"/>) and a manifest for it.</summary>
    private async Task<Descriptor> WriteImageAsync(string seed)
    {
        var layer = await _content.WriteBlobAsync(MediaTypes.DockerLayer, Encoding.UTF8.GetBytes("layer " + seed));
        var config = new OciImage
        {
            Architecture = "amd64",
            OS = "linux",
            Config = new ImageRuntimeConfig { Cmd = [seed] },
            RootFs = new ImageRootFs { DiffIds = [layer.Digest] },
        };
        var configDescriptor = await _content.WriteBlobAsync(MediaTypes.DockerConfig, JsonSerializer.SerializeToUtf8Bytes(config, ImageJsonContext.Default.OciImage));
        var manifest = new ImageManifest { MediaType = MediaTypes.DockerManifest, Config = configDescriptor, Layers = [layer] };
        return await _content.WriteBlobAsync(MediaTypes.DockerManifest, JsonSerializer.SerializeToUtf8Bytes(manifest, ImageJsonContext.Default.ImageManifest));
    }

    [Fact]
    public async Task An_image_is_found_by_id_prefix_name_and_digest()
    {
        var target = await WriteImageAsync("one");
        var image = _images.Create(target, [ImageReference.ParseNormalized("busybox:latest"), ImageReference.ParseNormalized("localhost:5000/x/y:z")]);
        Assert.Equal(["busybox:latest", "localhost:5000/x/y:z"], image.RepoTags.Order());
        Assert.Equal(["one"], image.Config.Config!.Cmd!);
        Assert.Equal(image.Manifest.Config.Digest, image.Id);
        foreach (var name in new[] { image.Id.ToString(), image.Id.Encoded, image.ShortId, "sha256:" + image.ShortId, "busybox", "busybox:latest",
            "docker.io/library/busybox:latest", "localhost:5000/x/y:z", "busybox@" + target.Digest })
        {
            Assert.Equal(image.Id, _images.Get(name).Id);
        }
        var missing = Assert.Throws<CoreException>(() => _images.Get("nginx"));
        Assert.Equal(CoreErrorKind.NotFound, missing.Kind);
        Assert.Equal("No such image: nginx", missing.Message);
        Assert.False(_images.TryGet("busybox:other", out _));
        Assert.False(_images.TryGet("nginx@" + target.Digest, out _));
    }

    [Fact]
    public async Task Tagging_moves_a_name_and_leaves_the_old_image_untagged()
    {
        var first = _images.Create(await WriteImageAsync("first"), [ImageReference.ParseNormalized("app")]);
        var second = _images.Create(await WriteImageAsync("second"), []);
        _images.Tag(second.Id.ToString(), "app");
        Assert.Equal(second.Id, _images.Get("app").Id);
        Assert.Empty(_images.Get(first.Id.ToString()).RepoTags);
        Assert.Equal(2, _images.List().Count);
        _images.Tag("app", "app:v2");
        Assert.Equal(["app:latest", "app:v2"], _images.Get(second.Id.ToString()).RepoTags.Order());
        var digestTag = Assert.Throws<CoreException>(() => _images.Tag("app", "app@" + second.Target.Digest));
        Assert.Equal(CoreErrorKind.InvalidArgument, digestTag.Kind);
        Assert.Equal(CoreErrorKind.InvalidArgument, Assert.Throws<CoreException>(() => _images.Tag("app", "Bad:Name")).Kind);
    }

    [Fact]
    public async Task Untag_and_delete()
    {
        var image = _images.Create(await WriteImageAsync("x"), [ImageReference.ParseNormalized("a"), ImageReference.ParseNormalized("b")]);
        var after = _images.Untag("a");
        Assert.Equal(["b:latest"], after.RepoTags);
        Assert.Equal(CoreErrorKind.NotFound, Assert.Throws<CoreException>(() => _images.Untag("a")).Kind);
        _images.Delete(image.Id);
        Assert.Empty(_images.List());
        Assert.False(_images.TryGet("b", out _));
        Assert.Equal(CoreErrorKind.NotFound, Assert.Throws<CoreException>(() => _images.Delete(image.Id)).Kind);
    }

    [Fact]
    public async Task Images_and_names_persist_across_reopening()
    {
        var image = _images.Create(await WriteImageAsync("persist"), [ImageReference.ParseNormalized("keep:me")]);
        var reopened = new ImageStore(_content, new MetadataStore(_dir.Combine("metadata")));
        Assert.Equal(image.Id, reopened.Get("keep:me").Id);
        Assert.Equal(image.LoadedAt, reopened.Get("keep:me").LoadedAt);
    }

    [Fact]
    public async Task Create_refuses_a_target_that_is_not_a_manifest()
    {
        var blob = await _content.WriteBlobAsync("text/plain", "x"u8.ToArray());
        Assert.Equal(CoreErrorKind.InvalidArgument, Assert.Throws<CoreException>(() => _images.Create(blob, [])).Kind);
    }
}
