using System.Formats.Tar;
using System.Text.Json;
using PSContainer.Engine.Core.Content;
using PSContainer.Engine.Core.Diff;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.Engine.Core.Images;
using PSContainer.Oci;

namespace PSContainer.Engine.Core.Archive;

/// <summary>
/// Writes docker-archives and OCI archives. Entries carry fixed owners and times so that the
/// same images always give the same bytes.
/// </summary>
internal sealed class ArchiveWriter
{
    private static readonly DateTimeOffset EntryTime = DateTimeOffset.UnixEpoch;
    private readonly IContentStore _content;
    private readonly string _tempRoot;
    private readonly HashSet<string> _written = new(StringComparer.Ordinal);

    public ArchiveWriter(IContentStore content, string tempRoot)
    {
        _content = content;
        _tempRoot = tempRoot;
    }

    /// <summary>
    /// docker save's format: config and uncompressed layer tars under blobs/sha256/, manifest.json
    /// and repositories for every docker load, plus index.json and oci-layout (an OCI layout of the
    /// same blobs, with a manifest of the uncompressed layers) as Docker 25 and later write it.
    /// </summary>
    public async Task WriteDockerArchiveAsync(IReadOnlyList<(Image Image, List<ImageReference> Names)> images, Stream output, CancellationToken cancellationToken)
    {
        var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        await using (tar.ConfigureAwait(false))
        {
            await WriteDirectoryAsync(tar, "blobs/", cancellationToken).ConfigureAwait(false);
            await WriteDirectoryAsync(tar, "blobs/sha256/", cancellationToken).ConfigureAwait(false);
            var manifestEntries = new List<DockerArchiveManifestEntry>();
            var repositories = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
            var index = new ImageIndex { SchemaVersion = 2, MediaType = MediaTypes.OciIndex };
            foreach (var (image, names) in images)
            {
                var configPath = BlobPath(image.Manifest.Config.Digest);
                await WriteBlobAsync(tar, image.Manifest.Config.Digest, cancellationToken).ConfigureAwait(false);
                var layerPaths = new List<string>();
                var ociLayers = new List<Descriptor>();
                for (var i = 0; i < image.Manifest.Layers.Count; i++)
                {
                    var size = await WriteUncompressedLayerAsync(tar, image.Manifest.Layers[i], image.DiffIds[i], cancellationToken).ConfigureAwait(false);
                    layerPaths.Add(BlobPath(image.DiffIds[i]));
                    ociLayers.Add(new Descriptor { MediaType = MediaTypes.OciLayer, Digest = image.DiffIds[i], Size = size });
                }
                manifestEntries.Add(new DockerArchiveManifestEntry
                {
                    Config = configPath,
                    RepoTags = [.. names.Select(n => n.FamiliarString())],
                    Layers = layerPaths,
                });
                foreach (var name in names)
                {
                    if (!repositories.TryGetValue(name.FamiliarName, out var tags))
                    {
                        repositories[name.FamiliarName] = tags = new Dictionary<string, string>(StringComparer.Ordinal);
                    }
                    tags[name.Tag!] = image.DiffIds.Count > 0 ? image.DiffIds[^1].Encoded : image.Id.Encoded;
                }
                var manifest = new ImageManifest
                {
                    SchemaVersion = 2,
                    MediaType = MediaTypes.OciManifest,
                    Config = new Descriptor { MediaType = MediaTypes.OciConfig, Digest = image.Manifest.Config.Digest, Size = image.Manifest.Config.Size },
                    Layers = ociLayers,
                };
                var manifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest, ImageJsonContext.Default.ImageManifest);
                var manifestDigest = Digest.FromBytes(manifestBytes);
                await WriteBytesAsync(tar, BlobPath(manifestDigest), manifestBytes, cancellationToken).ConfigureAwait(false);
                AddIndexEntries(index, new Descriptor { MediaType = MediaTypes.OciManifest, Digest = manifestDigest, Size = manifestBytes.Length }, names);
            }
            await WriteLayoutFilesAsync(tar, index, cancellationToken).ConfigureAwait(false);
            await WriteBytesAsync(tar, DockerArchiveReader.ManifestFile,
                JsonSerializer.SerializeToUtf8Bytes(manifestEntries, ArchiveJsonContext.Default.ListDockerArchiveManifestEntry), cancellationToken).ConfigureAwait(false);
            if (repositories.Count > 0)
            {
                await WriteBytesAsync(tar, "repositories",
                    JsonSerializer.SerializeToUtf8Bytes(repositories, ArchiveJsonContext.Default.DictionaryStringDictionaryStringString), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>An OCI archive of the images as stored: their manifests, configs and layer blobs unchanged.</summary>
    public async Task WriteOciArchiveAsync(IReadOnlyList<(Image Image, List<ImageReference> Names)> images, Stream output, CancellationToken cancellationToken)
    {
        var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        await using (tar.ConfigureAwait(false))
        {
            await WriteDirectoryAsync(tar, "blobs/", cancellationToken).ConfigureAwait(false);
            await WriteDirectoryAsync(tar, "blobs/sha256/", cancellationToken).ConfigureAwait(false);
            var index = new ImageIndex { SchemaVersion = 2, MediaType = MediaTypes.OciIndex };
            foreach (var (image, names) in images)
            {
                await WriteBlobAsync(tar, image.Manifest.Config.Digest, cancellationToken).ConfigureAwait(false);
                foreach (var layer in image.Manifest.Layers)
                {
                    await WriteBlobAsync(tar, layer.Digest, cancellationToken).ConfigureAwait(false);
                }
                await WriteBlobAsync(tar, image.Target.Digest, cancellationToken).ConfigureAwait(false);
                AddIndexEntries(index, new Descriptor { MediaType = image.Target.MediaType, Digest = image.Target.Digest, Size = image.Target.Size }, names);
            }
            await WriteLayoutFilesAsync(tar, index, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One index entry per name (full name and tag annotated, as containerd and Docker do), or one unnamed.</summary>
    private static void AddIndexEntries(ImageIndex index, Descriptor manifest, List<ImageReference> names)
    {
        if (names.Count == 0)
        {
            index.Manifests.Add(manifest);
            return;
        }
        foreach (var name in names)
        {
            var entry = manifest.Clone();
            entry.Annotations = new Dictionary<string, string>
            {
                [Annotations.ContainerdImageName] = name.ToString(),
                [Annotations.RefName] = name.Tag ?? name.ToString(),
            };
            index.Manifests.Add(entry);
        }
    }

    private async Task WriteLayoutFilesAsync(TarWriter tar, ImageIndex index, CancellationToken cancellationToken)
    {
        await WriteBytesAsync(tar, OciLayoutFile.FileName, JsonSerializer.SerializeToUtf8Bytes(new OciLayoutFile(), ImageJsonContext.Default.OciLayoutFile), cancellationToken).ConfigureAwait(false);
        await WriteBytesAsync(tar, OciLayoutReader.IndexFile, JsonSerializer.SerializeToUtf8Bytes(index, ImageJsonContext.Default.ImageIndex), cancellationToken).ConfigureAwait(false);
    }

    private static string BlobPath(Digest digest) => $"blobs/{digest.Algorithm}/{digest.Encoded}";

    private async Task WriteBlobAsync(TarWriter tar, Digest digest, CancellationToken cancellationToken)
    {
        if (!_written.Add(BlobPath(digest)))
        {
            return;
        }
        var stream = _content.OpenRead(digest);
        await using (stream.ConfigureAwait(false))
        {
            await WriteFileAsync(tar, BlobPath(digest), stream, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes the layer as an uncompressed tar named by its diff id; returns its size.</summary>
    private async Task<long> WriteUncompressedLayerAsync(TarWriter tar, Descriptor layer, Digest diffId, CancellationToken cancellationToken)
    {
        if (layer.Digest == diffId)
        {
            await WriteBlobAsync(tar, diffId, cancellationToken).ConfigureAwait(false);
            return _content.Info(diffId).Size;
        }
        Directory.CreateDirectory(_tempRoot);
        var temp = Path.Combine(_tempRoot, $"save-{Guid.NewGuid():N}");
        try
        {
            long size;
            using (var blob = _content.OpenRead(layer.Digest))
            using (var digesting = new DigestingStream(LayerStreams.Decompress(blob, $"layer {layer.Digest}")))
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                await digesting.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                if (digesting.Digest != diffId)
                {
                    throw CoreException.DataCorrupted($"layer {layer.Digest}: uncompressed digest {digesting.Digest} is not the diff id {diffId}");
                }
                size = digesting.BytesRead;
            }
            if (_written.Add(BlobPath(diffId)))
            {
                var stream = new FileStream(temp, FileMode.Open, FileAccess.Read);
                await using (stream.ConfigureAwait(false))
                {
                    await WriteFileAsync(tar, BlobPath(diffId), stream, cancellationToken).ConfigureAwait(false);
                }
            }
            return size;
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private async Task WriteBytesAsync(TarWriter tar, string name, byte[] data, CancellationToken cancellationToken)
    {
        _written.Add(name);
        using var stream = new MemoryStream(data, writable: false);
        await WriteFileAsync(tar, name, stream, cancellationToken).ConfigureAwait(false);
    }

    private static Task WriteFileAsync(TarWriter tar, string name, Stream data, CancellationToken cancellationToken)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name)
        {
            DataStream = data,
            Mode = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            ModificationTime = EntryTime,
        };
        return tar.WriteEntryAsync(entry, cancellationToken);
    }

    private static Task WriteDirectoryAsync(TarWriter tar, string name, CancellationToken cancellationToken)
    {
        var entry = new PaxTarEntry(TarEntryType.Directory, name)
        {
            Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead
                | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute,
            ModificationTime = EntryTime,
        };
        return tar.WriteEntryAsync(entry, cancellationToken);
    }
}
