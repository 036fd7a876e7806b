using System.Collections.Concurrent;
using PSContainer.Engine.Core.Content;
using PSContainer.Engine.Core.Diff;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.Engine.Core.Gc;
using PSContainer.Engine.Core.Snapshots;
using PSContainer.Oci;

namespace PSContainer.Engine.Core.Images;

/// <summary>
/// Unpacks an image's layers into committed snapshots named by chain id: a layer already
/// unpacked (by this or any other image) is skipped. Each layer is applied into a fresh active
/// snapshot, its diff id is checked against the config while it is applied, and only then is it
/// committed; a bad layer leaves no snapshot.
/// </summary>
public sealed class ImageUnpacker
{
    private readonly IContentStore _content;
    private readonly ISnapshotter _snapshotter;
    private readonly ConcurrentDictionary<Digest, SemaphoreSlim> _chainLocks = new();

    public ImageUnpacker(IContentStore content, ISnapshotter snapshotter)
    {
        _content = content;
        _snapshotter = snapshotter;
    }

    /// <summary>Unpacks <paramref name="manifest"/>'s layers (described by <paramref name="config"/>); returns the top chain id, null for an image with no layers.</summary>
    public async Task<Digest?> UnpackAsync(ImageManifest manifest, OciImage config, Lease? lease = null, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var diffIds = config.RootFs.DiffIds;
        if (diffIds.Count != manifest.Layers.Count)
        {
            throw CoreException.DataCorrupted(
                $"image config {manifest.Config.Digest}: {diffIds.Count} diff ids for {manifest.Layers.Count} layers in the manifest");
        }
        var chainIds = Layers.ChainIds(diffIds);
        for (var i = 0; i < chainIds.Count; i++)
        {
            var chainId = chainIds[i].ToString();
            lease?.AddSnapshot(chainId);
            var gate = _chainLocks.GetOrAdd(chainIds[i], _ => new SemaphoreSlim(1, 1));
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (Exists(chainId))
                {
                    continue;
                }
                progress?.Report($"Loading layer {manifest.Layers[i].Digest}");
                await Task.Run(() => ApplyLayer(manifest.Layers[i], diffIds[i], chainId, i == 0 ? null : chainIds[i - 1].ToString()), cancellationToken)
                    .ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }
        return chainIds.Count == 0 ? null : chainIds[^1];
    }

    private bool Exists(string key)
    {
        try
        {
            return _snapshotter.Stat(key).Kind == SnapshotKind.Committed;
        }
        catch (CoreException e) when (e.Kind == CoreErrorKind.NotFound)
        {
            return false;
        }
    }

    private void ApplyLayer(Descriptor layer, Digest diffId, string chainId, string? parent)
    {
        if (MediaTypes.IsLayer(layer.MediaType) && MediaTypes.LayerCompressionOf(layer.MediaType) == LayerCompression.Zstd && Diff.ZstdProcessStream.Program is null)
        {
            throw CoreException.NotImplemented($"layer {layer.Digest}: zstd-compressed layer, and the zstd program is not installed (Debian package zstd)");
        }
        var key = $"extract-{Guid.NewGuid():N} {chainId}";
        _snapshotter.Prepare(key, parent);
        try
        {
            var target = _snapshotter.ApplyTargetOf(key);
            using (var blob = _content.OpenRead(layer.Digest))
            using (var digesting = new DigestingStream(LayerStreams.Decompress(blob, $"layer {layer.Digest}")))
            {
                LayerApplier.Apply(digesting, target);
                digesting.Drain();
                if (digesting.Digest != diffId)
                {
                    throw CoreException.DataCorrupted(
                        $"layer {layer.Digest}: uncompressed digest {digesting.Digest} does not match the diff id {diffId} in the image config");
                }
            }
            _snapshotter.Commit(chainId, key, new Dictionary<string, string> { [SnapshotLabels.DiffId] = diffId.ToString() });
        }
        catch
        {
            try
            {
                _snapshotter.Remove(key);
            }
            catch (CoreException)
            {
                // The active snapshot is gone already (committed by a racing unpack or removed).
            }
            throw;
        }
    }
}
