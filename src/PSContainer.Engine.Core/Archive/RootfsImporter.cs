using System.Text.Json;
using PSContainer.Engine.Core.Content;
using PSContainer.Engine.Core.Diff;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.Engine.Core.Gc;
using PSContainer.Engine.Core.Images;
using PSContainer.Oci;

namespace PSContainer.Engine.Core.Archive;

/// <summary>
/// <c>docker import</c>: the tarball (plain or gzip) becomes the single, uncompressed layer of a
/// new image whose config holds the given defaults and one history entry.
/// </summary>
internal sealed class RootfsImporter(IContentStore content, IImageStore images, ImageUnpacker unpacker, IGarbageCollector gc)
{
    public async Task<Image> ImportAsync(Stream rootfsTar, ImportOptions options, CancellationToken cancellationToken)
    {
        ImageReference? reference = null;
        if (options.Reference is { Length: > 0 } text)
        {
            try
            {
                reference = ImageReference.ParseNormalized(text);
            }
            catch (FormatException e)
            {
                throw CoreException.InvalidArgument(e.Message, e);
            }
            if (reference.Digest is not null)
            {
                throw CoreException.InvalidArgument($"import: cannot tag with a digest reference: {text}");
            }
        }
        using var lease = gc.CreateLease("import");
        Digest diffId;
        using (var uncompressed = LayerStreams.Decompress(rootfsTar, "import"))
        {
            diffId = await content.WriteBlobAsync($"import-{Guid.NewGuid():N}", uncompressed, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        lease.AddBlob(diffId);
        var layer = new Descriptor { MediaType = MediaTypes.DockerLayer, Digest = diffId, Size = content.Info(diffId).Size };
        var created = options.Created ?? DateTimeOffset.UtcNow;
        var message = options.Message ?? "Imported from -";
        var platform = options.Platform ?? PlatformMatcher.Host;
        var config = new OciImage
        {
            Created = created,
            Architecture = platform.Architecture,
            OS = platform.OS,
            Variant = platform.Variant,
            Config = options.Config ?? new ImageRuntimeConfig(),
            RootFs = new ImageRootFs { DiffIds = [diffId] },
            History = [new ImageHistory { Created = created, Comment = message }],
            Comment = message,
        };
        var configDescriptor = await content.WriteBlobAsync(MediaTypes.DockerConfig,
            JsonSerializer.SerializeToUtf8Bytes(config, ImageJsonContext.Default.OciImage), cancellationToken: cancellationToken).ConfigureAwait(false);
        lease.AddBlob(configDescriptor.Digest);
        var manifest = new ImageManifest { SchemaVersion = 2, MediaType = MediaTypes.DockerManifest, Config = configDescriptor, Layers = [layer] };
        var manifestDescriptor = await content.WriteBlobAsync(MediaTypes.DockerManifest,
            JsonSerializer.SerializeToUtf8Bytes(manifest, ImageJsonContext.Default.ImageManifest), cancellationToken: cancellationToken).ConfigureAwait(false);
        lease.AddBlob(manifestDescriptor.Digest);
        await unpacker.UnpackAsync(manifest, config, lease, null, cancellationToken).ConfigureAwait(false);
        return images.Create(manifestDescriptor, reference is null ? [] : [reference]);
    }
}
