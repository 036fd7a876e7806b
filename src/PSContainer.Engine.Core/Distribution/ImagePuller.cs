using System.Net;
using System.Text.Json;
using PSContainer.Engine.Core.Archive;
using PSContainer.Engine.Core.Content;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.Engine.Core.Gc;
using PSContainer.Engine.Core.Images;
using PSContainer.Oci;

namespace PSContainer.Engine.Core.Distribution;

/// <summary>
/// docker pull: resolves the reference at the registry, picks the platform's manifest from an
/// index, downloads config and layers into the content store (verified, resumable, a few at a
/// time, blobs already present skipped), unpacks them, and only then records the image, so an
/// interrupted or failed pull leaves no image; a lease keeps its blobs from GC meanwhile.
/// </summary>
internal sealed class ImagePuller
{
    private const int MaxIndexDepth = 4;
    private readonly IContentStore _content;
    private readonly IImageStore _images;
    private readonly ImageUnpacker _unpacker;
    private readonly IGarbageCollector _gc;
    private readonly RegistryOptions _options;
    private readonly SharedTransfers _shared = new();

    public ImagePuller(IContentStore content, IImageStore images, ImageUnpacker unpacker, IGarbageCollector gc, RegistryOptions options)
    {
        _content = content;
        _images = images;
        _unpacker = unpacker;
        _gc = gc;
        _options = options;
    }

    public async Task<PullResult> PullAsync(RegistryClientHandle handle, ImageReference reference, Platform? platform, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        var repository = reference.Path;
        var tagOrDigest = reference.Digest?.ToString() ?? reference.Tag ?? ImageReference.DefaultTag;
        using var lease = _gc.CreateLease($"pull {reference}");
        progress?.Report(new TransferProgress(reference.Digest is null ? tagOrDigest : null,
            reference.Digest is null ? $"Pulling from {reference.FamiliarName}" : $"Pulling from {reference.FamiliarName}"));

        var client = handle.Client;
        var top = await client.GetManifestAsync(repository, tagOrDigest, cancellationToken).ConfigureAwait(false);
        await StoreAsync(top, lease, cancellationToken).ConfigureAwait(false);
        var (manifestDescriptor, manifestBody, index) = await SelectPlatformAsync(client, repository, top, platform, lease, cancellationToken).ConfigureAwait(false);

        var manifest = Parse(manifestBody, ImageJsonContext.Default.ImageManifest, $"manifest {manifestDescriptor.Digest}");
        if (!MediaTypes.IsConfig(manifest.Config.MediaType))
        {
            throw CoreException.NotImplemented(
                $"{reference.FamiliarString()}: manifest {manifestDescriptor.Digest} is not a container image (config media type \"{manifest.Config.MediaType}\")");
        }
        foreach (var layer in manifest.Layers)
        {
            if (!MediaTypes.IsLayer(layer.MediaType))
            {
                throw CoreException.NotImplemented($"layer {layer.Digest}: media type \"{layer.MediaType}\" is not supported");
            }
            if (MediaTypes.LayerCompressionOf(layer.MediaType) == LayerCompression.Zstd && Diff.ZstdProcessStream.Program is null)
            {
                // Refused before any download: there would be no way to unpack it.
                throw CoreException.NotImplemented(
                    $"layer {layer.Digest}: zstd-compressed layer ({layer.MediaType}), and the zstd program is not installed (Debian package zstd)");
            }
        }

        var upToDate = _images.TryGet(reference.ToString(), out var existing) && existing.Target.Digest == manifestDescriptor.Digest;
        await DownloadAsync(client, repository, manifest.Config, lease, null, cancellationToken).ConfigureAwait(false);
        var config = DockerArchiveReader.ParseConfig(_content.ReadAllBytes(manifest.Config.Digest), manifest.Config.Digest.ToString());
        // This pull's lease covers what the shared work makes, so GC keeps it until the image is recorded
        // even when the work was started (and its own lease dropped) by another pull.
        foreach (var layer in manifest.Layers)
        {
            lease.AddBlob(layer.Digest);
        }
        foreach (var chainId in Layers.ChainIds(config.RootFs.DiffIds))
        {
            lease.AddSnapshot(chainId.ToString());
        }

        foreach (var layer in manifest.Layers)
        {
            progress?.Report(new TransferProgress(ShortId(layer.Digest), _content.Exists(layer.Digest) ? "Already exists" : "Pulling fs layer"));
        }
        var hold = handle.AddHolder();
        await _shared.RunAsync($"{client.Domain}/{repository}@{manifestDescriptor.Digest}",
            async (sharedProgress, token) =>
            {
                using (hold)
                {
                    await FetchAndUnpackAsync(hold.Client, repository, reference, manifest, config, sharedProgress, token).ConfigureAwait(false);
                }
            },
            progress,
            onJoin: () =>
            {
                hold.Dispose();
                foreach (var layer in manifest.Layers.Where(l => !_content.Exists(l.Digest)))
                {
                    progress?.Report(new TransferProgress(ShortId(layer.Digest), "Waiting"));
                }
            },
            cancellationToken).ConfigureAwait(false);
        foreach (var layer in manifest.Layers)
        {
            progress?.Report(new TransferProgress(ShortId(layer.Digest), "Pull complete"));
        }

        var names = new List<ImageReference> { reference.NameOnly().WithDigest(top.Descriptor.Digest) };
        if (reference.Digest is null)
        {
            names.Insert(0, reference);
        }
        var platformManifest = manifestDescriptor.Clone();
        var image = _images.Create(platformManifest, names, index);
        progress?.Report(new TransferProgress(null, $"Digest: {top.Descriptor.Digest}"));
        progress?.Report(new TransferProgress(null, upToDate
            ? $"Status: Image is up to date for {reference.FamiliarString()}"
            : $"Status: Downloaded newer image for {reference.FamiliarString()}"));
        return new PullResult(image, top.Descriptor.Digest, upToDate);
    }

    /// <summary>
    /// The part of a pull that concurrent pulls of the same manifest share: the layers' downloads
    /// (a few at a time) and their unpacking, under a lease of its own.
    /// </summary>
    private async Task FetchAndUnpackAsync(RegistryClient client, string repository, ImageReference reference, ImageManifest manifest, OciImage config,
        IProgress<TransferProgress> progress, CancellationToken cancellationToken)
    {
        using var lease = _gc.CreateLease($"pull {reference} (shared)");
        using (var gate = new SemaphoreSlim(Math.Max(1, _options.MaxConcurrentDownloads)))
        {
            var downloads = manifest.Layers.Select(async layer =>
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    await DownloadAsync(client, repository, layer, lease, progress, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    gate.Release();
                }
            }).ToList();
            await Task.WhenAll(downloads).ConfigureAwait(false);
        }

        var unpackProgress = new InlineProgress<string>(message =>
        {
            // The unpacker names each layer it applies ("Loading layer sha256:…").
            var at = message.IndexOf("sha256:", StringComparison.Ordinal);
            if (at >= 0 && Digest.TryParse(message[at..].Trim(), out var digest))
            {
                progress.Report(new TransferProgress(ShortId(digest), "Extracting"));
            }
        });
        await _unpacker.UnpackAsync(manifest, config, lease, unpackProgress, cancellationToken).ConfigureAwait(false);
    }

    internal static string ShortId(Digest digest) => digest.Encoded[..12];

    private async Task<(Descriptor Manifest, byte[] Body, Descriptor? Index)> SelectPlatformAsync(
        RegistryClient client, string repository, FetchedManifest top, Platform? platform, Lease lease, CancellationToken cancellationToken)
    {
        Descriptor? topIndex = null;
        var current = top;
        for (var depth = 0; depth < MaxIndexDepth; depth++)
        {
            if (MediaTypes.IsManifest(current.Descriptor.MediaType))
            {
                return (current.Descriptor, current.Body, topIndex);
            }
            if (!MediaTypes.IsIndex(current.Descriptor.MediaType))
            {
                throw CoreException.NotImplemented(
                    $"{repository}: {current.Descriptor.Digest} has media type \"{current.Descriptor.MediaType}\", which is neither an image manifest nor an index");
            }
            topIndex ??= current.Descriptor;
            var index = Parse(current.Body, ImageJsonContext.Default.ImageIndex, $"index {current.Descriptor.Digest}");
            var wanted = platform ?? PlatformMatcher.Host;
            var chosen = PlatformMatcher.Select(index.Manifests, wanted)
                ?? throw CoreException.NotFound(
                    $"no matching manifest for {wanted.OS}/{wanted.Architecture}{(string.IsNullOrEmpty(wanted.Variant) ? "" : "/" + wanted.Variant)} in the manifest list entries of {repository} " +
                    $"(available: {string.Join(", ", index.Manifests.Where(m => m.Platform is not null).Select(m => m.Platform!.ToString()))})");
            var fetched = await client.GetManifestAsync(repository, chosen.Digest.ToString(), cancellationToken).ConfigureAwait(false);
            if (fetched.Body.Length != chosen.Size)
            {
                throw CoreException.DataCorrupted($"manifest {chosen.Digest}: {fetched.Body.Length} bytes, the index says {chosen.Size}");
            }
            // Keep the index's media type and platform in the descriptor the image records.
            var descriptor = chosen.Clone();
            if (string.IsNullOrEmpty(descriptor.MediaType) || !(MediaTypes.IsManifest(descriptor.MediaType) || MediaTypes.IsIndex(descriptor.MediaType)))
            {
                descriptor.MediaType = fetched.Descriptor.MediaType;
            }
            current = fetched with { Descriptor = descriptor };
            await StoreAsync(current, lease, cancellationToken).ConfigureAwait(false);
        }
        throw CoreException.InvalidArgument($"{repository}: indexes nested deeper than {MaxIndexDepth}");
    }

    private async Task StoreAsync(FetchedManifest manifest, Lease lease, CancellationToken cancellationToken)
    {
        lease.AddBlob(manifest.Descriptor.Digest);
        await _content.WriteBlobAsync(manifest.Descriptor.MediaType, manifest.Body, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Streams one blob into the content store under a stable ingest name, so that an interrupted
    /// download resumes from the bytes already written (a Range request). The writer verifies
    /// size and digest at commit; a mismatch discards the ingest and fails the pull.
    /// </summary>
    private async Task DownloadAsync(RegistryClient client, string repository, Descriptor blob, Lease lease, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        lease.AddBlob(blob.Digest);
        var id = ShortId(blob.Digest);
        if (_content.Exists(blob.Digest))
        {
            return;
        }
        IContentWriter writer;
        try
        {
            writer = await _content.OpenWriterAsync($"pull-{blob.Digest}", blob.Size, blob.Digest, cancellationToken).ConfigureAwait(false);
        }
        catch (CoreException e) when (e.Kind == CoreErrorKind.AlreadyExists)
        {
            return; // another pull committed it meanwhile
        }
        await using (writer.ConfigureAwait(false))
        {
            var offset = writer.Offset;
            if (offset > blob.Size)
            {
                throw CoreException.DataCorrupted($"blob {blob.Digest}: a previous download holds {offset} bytes, more than the expected {blob.Size}");
            }
            if (offset < blob.Size)
            {
                using var response = await client.GetBlobAsync(repository, blob.Digest, offset, cancellationToken).ConfigureAwait(false);
                // A registry that ignores Range sends the whole blob: skip what we already have.
                var skip = offset > 0 && response.StatusCode != HttpStatusCode.PartialContent ? offset : 0;
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                var buffer = new byte[1 << 16];
                var written = offset;
                var lastReport = 0L;
                int read;
                while ((read = await ReadChunkAsync(body, buffer, blob.Digest, written, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    var data = buffer.AsMemory(0, read);
                    if (skip > 0)
                    {
                        var dropped = (int)Math.Min(skip, read);
                        skip -= dropped;
                        data = data[dropped..];
                    }
                    if (written + data.Length > blob.Size)
                    {
                        throw CoreException.DataCorrupted($"blob {blob.Digest}: the registry sent more than the expected {blob.Size} bytes");
                    }
                    await writer.WriteAsync(data, cancellationToken).ConfigureAwait(false);
                    written += data.Length;
                    if (progress is not null && (written - lastReport >= 512 * 1024 || written == blob.Size))
                    {
                        lastReport = written;
                        progress.Report(new TransferProgress(id, "Downloading", written, blob.Size));
                    }
                }
            }
            progress?.Report(new TransferProgress(id, "Verifying Checksum"));
            try
            {
                await writer.CommitAsync(blob.Size, blob.Digest, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (CoreException e) when (e.Kind == CoreErrorKind.AlreadyExists)
            {
                // committed by a concurrent pull of the same blob
            }
            progress?.Report(new TransferProgress(id, "Download complete"));
        }
    }

    /// <summary>One read of a blob body; a dropped connection becomes Unavailable (the ingest keeps what arrived, for a resume).</summary>
    private static async Task<int> ReadChunkAsync(Stream body, byte[] buffer, Digest digest, long written, CancellationToken cancellationToken)
    {
        try
        {
            return await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw CoreException.Unavailable($"blob {digest}: the download broke off after {written} bytes ({e.Message}); pulling again resumes it");
        }
    }

    private static T Parse<T>(byte[] body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string what)
    {
        try
        {
            return JsonSerializer.Deserialize(body, type) ?? throw CoreException.InvalidArgument($"{what}: the document is null");
        }
        catch (JsonException e)
        {
            throw CoreException.InvalidArgument($"{what}: invalid JSON ({e.Message})", e);
        }
    }

    /// <summary>An IProgress that reports on the caller's thread (Progress&lt;T&gt; posts to the thread pool, out of order).</summary>
    private sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
