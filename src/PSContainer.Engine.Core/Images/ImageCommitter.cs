using System.Text.Json;
using PSContainer.Engine.Core.Content;
using PSContainer.Engine.Core.Diff;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.Engine.Core.Gc;
using PSContainer.Engine.Core.Snapshots;
using PSContainer.Oci;

namespace PSContainer.Engine.Core.Images;

/// <summary>What <c>docker commit</c> records besides the layer.</summary>
public sealed class CommitOptions
{
    /// <summary>"repo:tag" for the new image; untagged when null.</summary>
    public string? Reference { get; init; }

    /// <summary>The new image's container defaults (the daemon merges the base config with the changes).</summary>
    public ImageRuntimeConfig? Config { get; init; }

    public string? Author { get; init; }

    public string? Comment { get; init; }

    /// <summary>The history "created_by" text (Docker puts the container's command there).</summary>
    public string? CreatedBy { get; init; }

    public DateTimeOffset? Created { get; init; }

    /// <summary>Container paths ("/etc/hosts") whose regular files stay out of the layer: mount points the engine made, not the container's changes.</summary>
    public Func<string, bool>? Exclude { get; init; }
}

/// <summary>
/// <c>docker commit</c>: the container snapshot's changes become a new uncompressed layer on top
/// of its base image; config, history and manifest are written to the content store and the
/// image is recorded (and the new layer unpacked, so containers can start from it at once).
/// </summary>
public sealed class ImageCommitter
{
    private readonly IContentStore _content;
    private readonly IImageStore _images;
    private readonly ISnapshotter _snapshotter;
    private readonly SnapshotDiffer _differ;
    private readonly ImageUnpacker _unpacker;
    private readonly IGarbageCollector _gc;

    public ImageCommitter(IContentStore content, IImageStore images, ISnapshotter snapshotter, SnapshotDiffer differ, ImageUnpacker unpacker, IGarbageCollector gc)
    {
        _content = content;
        _images = images;
        _snapshotter = snapshotter;
        _differ = differ;
        _unpacker = unpacker;
        _gc = gc;
    }

    /// <summary>Commits the container whose rootfs snapshot is <paramref name="containerId"/>.</summary>
    public async Task<Image> CommitAsync(string containerId, CommitOptions options, CancellationToken cancellationToken = default)
    {
        var info = _snapshotter.Stat(containerId);
        if (!info.Labels.TryGetValue(ContainerRootfs.ImageLabel, out var baseId))
        {
            throw CoreException.FailedPrecondition($"snapshot {containerId} was not made from an image; nothing to commit onto");
        }
        var baseImage = _images.Get(baseId);
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
        }
        using var lease = _gc.CreateLease("commit " + containerId);
        Digest layerDigest;
        Digest diffId;
        var writer = await _content.OpenWriterAsync($"commit-{containerId}-{Guid.NewGuid():N}", cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            var sink = new WriterStream(writer);
            diffId = await _differ.WriteLayerAsync(containerId, sink, options.Exclude, cancellationToken).ConfigureAwait(false);
            await sink.FlushPendingAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                layerDigest = await writer.CommitAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (CoreException e) when (e.Kind == CoreErrorKind.AlreadyExists)
            {
                layerDigest = writer.CurrentDigest();
            }
        }
        lease.AddBlob(layerDigest);
        var created = options.Created ?? DateTimeOffset.UtcNow;
        var baseConfig = baseImage.Config;
        var config = new OciImage
        {
            Created = created,
            Author = options.Author,
            Architecture = baseConfig.Architecture,
            OS = baseConfig.OS,
            Variant = baseConfig.Variant,
            OSVersion = baseConfig.OSVersion,
            Config = options.Config ?? baseConfig.Config,
            RootFs = new ImageRootFs { DiffIds = [.. baseConfig.RootFs.DiffIds, diffId] },
            History = [.. baseConfig.History ?? [], new ImageHistory { Created = created, Author = options.Author, CreatedBy = options.CreatedBy, Comment = options.Comment }],
            Comment = options.Comment,
        };
        var configDescriptor = await _content.WriteBlobAsync(MediaTypes.DockerConfig,
            JsonSerializer.SerializeToUtf8Bytes(config, ImageJsonContext.Default.OciImage), cancellationToken: cancellationToken).ConfigureAwait(false);
        lease.AddBlob(configDescriptor.Digest);
        var layer = new Descriptor { MediaType = MediaTypes.DockerLayer, Digest = layerDigest, Size = _content.Info(layerDigest).Size };
        var manifest = new ImageManifest
        {
            SchemaVersion = 2,
            MediaType = MediaTypes.DockerManifest,
            Config = configDescriptor,
            Layers = [.. baseImage.Manifest.Layers, layer],
        };
        var manifestDescriptor = await _content.WriteBlobAsync(MediaTypes.DockerManifest,
            JsonSerializer.SerializeToUtf8Bytes(manifest, ImageJsonContext.Default.ImageManifest), cancellationToken: cancellationToken).ConfigureAwait(false);
        lease.AddBlob(manifestDescriptor.Digest);
        await _unpacker.UnpackAsync(manifest, config, lease, null, cancellationToken).ConfigureAwait(false);
        return _images.Create(manifestDescriptor, reference is null ? [] : [reference]);
    }

    /// <summary>Adapts an <see cref="IContentWriter"/> to the Stream the tar writer wants.</summary>
    private sealed class WriterStream(IContentWriter writer) : Stream
    {
        private readonly MemoryStream _pending = new();

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        // The tar writer writes synchronously in places; buffer and hand over in chunks.
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _pending.Write(buffer);
            if (_pending.Length >= 1 << 20)
            {
                FlushPendingAsync(CancellationToken.None).GetAwaiter().GetResult();
            }
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _pending.Write(buffer.Span);
            if (_pending.Length >= 1 << 20)
            {
                await FlushPendingAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        public async Task FlushPendingAsync(CancellationToken cancellationToken)
        {
            if (_pending.Length == 0)
            {
                return;
            }
            await writer.WriteAsync(_pending.GetBuffer().AsMemory(0, (int)_pending.Length), cancellationToken).ConfigureAwait(false);
            _pending.SetLength(0);
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
