using System.Text.Json;
using System.Text.RegularExpressions;
using PSContainer.Engine.Core.Content;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.Engine.Core.Gc;
using PSContainer.Engine.Core.Images;
using PSContainer.Oci;

namespace PSContainer.Engine.Core.Archive;

/// <summary>
/// Reads an OCI image layout (oci-layout, index.json, blobs/&lt;alg&gt;/&lt;hex&gt;) into the content
/// store: for each entry of index.json the manifest for this platform (through nested indexes),
/// its config and layers, every blob verified against its descriptor's digest and size.
/// Names come from <c>io.containerd.image.name</c> or <c>org.opencontainers.image.ref.name</c>.
/// </summary>
internal static partial class OciLayoutReader
{
    public const string IndexFile = "index.json";

    public static async Task<IReadOnlyList<PendingImage>> ReadAsync(IArchiveSource source, IContentStore content, Lease lease, string? defaultRepository, CancellationToken cancellationToken)
    {
        if (!source.Exists(OciLayoutFile.FileName))
        {
            throw CoreException.InvalidArgument("OCI layout: the oci-layout file is missing");
        }
        using (var layoutStream = source.Open(OciLayoutFile.FileName))
        {
            var layout = await DeserializeAsync(layoutStream, ImageJsonContext.Default.OciLayoutFile, OciLayoutFile.FileName, cancellationToken).ConfigureAwait(false);
            if (!layout.ImageLayoutVersion.StartsWith("1.", StringComparison.Ordinal))
            {
                throw CoreException.InvalidArgument($"OCI layout: imageLayoutVersion {layout.ImageLayoutVersion} is not supported (1.x is)");
            }
        }
        ImageIndex index;
        using (var indexStream = source.Open(IndexFile))
        {
            index = await DeserializeAsync(indexStream, ImageJsonContext.Default.ImageIndex, IndexFile, cancellationToken).ConfigureAwait(false);
        }
        var result = new List<PendingImage>();
        foreach (var entry in index.Manifests)
        {
            var names = NamesOf(entry, defaultRepository);
            var (manifestDescriptor, parentIndex) = await ResolveAsync(source, content, lease, entry, cancellationToken).ConfigureAwait(false);
            var manifest = JsonSerializer.Deserialize(content.ReadAllBytes(manifestDescriptor.Digest), ImageJsonContext.Default.ImageManifest)
                ?? throw CoreException.InvalidArgument($"OCI layout: manifest {manifestDescriptor.Digest} is null");
            await CopyBlobAsync(source, content, lease, manifest.Config, cancellationToken).ConfigureAwait(false);
            var configBytes = content.ReadAllBytes(manifest.Config.Digest);
            var config = DockerArchiveReader.ParseConfig(configBytes, manifest.Config.Digest.ToString());
            foreach (var layer in manifest.Layers)
            {
                if (MediaTypes.IsLayer(layer.MediaType) && MediaTypes.LayerCompressionOf(layer.MediaType) == LayerCompression.Zstd)
                {
                    throw CoreException.NotImplemented($"layer {layer.Digest}: zstd layers are not supported yet");
                }
                await CopyBlobAsync(source, content, lease, layer, cancellationToken).ConfigureAwait(false);
            }
            result.Add(new PendingImage(manifestDescriptor, manifest, config, parentIndex, names));
        }
        return result;
    }

    /// <summary>Follows indexes down to the platform manifest, storing every document on the way.</summary>
    private static async Task<(Descriptor Manifest, Descriptor? Index)> ResolveAsync(IArchiveSource source, IContentStore content, Lease lease, Descriptor entry, CancellationToken cancellationToken)
    {
        Descriptor? topIndex = null;
        var current = entry;
        for (var depth = 0; depth < 8; depth++)
        {
            await CopyBlobAsync(source, content, lease, current, cancellationToken).ConfigureAwait(false);
            var mediaType = current.MediaType;
            if (string.IsNullOrEmpty(mediaType))
            {
                var probe = JsonSerializer.Deserialize(content.ReadAllBytes(current.Digest), ImageJsonContext.Default.ManifestProbe);
                mediaType = probe?.MediaType ?? (probe?.Manifests is not null ? MediaTypes.OciIndex : MediaTypes.OciManifest);
            }
            if (MediaTypes.IsManifest(mediaType))
            {
                var manifest = current.Clone();
                manifest.MediaType = mediaType;
                manifest.Annotations = null;
                return (manifest, topIndex);
            }
            if (!MediaTypes.IsIndex(mediaType))
            {
                throw CoreException.InvalidArgument($"OCI layout: {current.Digest} has media type {mediaType}, neither a manifest nor an index");
            }
            topIndex ??= new Descriptor { MediaType = mediaType, Digest = current.Digest, Size = current.Size };
            var index = JsonSerializer.Deserialize(content.ReadAllBytes(current.Digest), ImageJsonContext.Default.ImageIndex)
                ?? throw CoreException.InvalidArgument($"OCI layout: index {current.Digest} is null");
            current = PlatformMatcher.Select(index.Manifests)
                ?? throw CoreException.NotFound(
                    $"OCI layout: index {current.Digest} has no manifest for {PlatformMatcher.Host} (it has {string.Join(", ", index.Manifests.Select(m => m.Platform?.ToString() ?? "unknown"))})");
        }
        throw CoreException.InvalidArgument($"OCI layout: indexes nested too deeply under {entry.Digest}");
    }

    private static async Task CopyBlobAsync(IArchiveSource source, IContentStore content, Lease lease, Descriptor descriptor, CancellationToken cancellationToken)
    {
        lease.AddBlob(descriptor.Digest);
        if (content.Exists(descriptor.Digest))
        {
            return;
        }
        var path = $"blobs/{descriptor.Digest.Algorithm}/{descriptor.Digest.Encoded}";
        using var stream = source.Open(path);
        try
        {
            await content.WriteBlobAsync($"load-{descriptor.Digest}", stream, descriptor.Size, descriptor.Digest, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (CoreException e) when (e.Kind == CoreErrorKind.DataCorrupted)
        {
            throw new CoreException(CoreErrorKind.DataCorrupted, $"OCI layout: blob {path} does not match its descriptor: {e.Message}", e);
        }
    }

    /// <summary>
    /// The names of an index.json entry: containerd's full-name annotation, else ref.name when it
    /// is a full reference, else ref.name as a tag of <paramref name="defaultRepository"/>.
    /// </summary>
    internal static IReadOnlyList<ImageReference> NamesOf(Descriptor entry, string? defaultRepository)
    {
        var annotations = entry.Annotations ?? [];
        if (annotations.TryGetValue(Annotations.ContainerdImageName, out var full) && ImageReference.TryParseNormalized(full, out var fullRef))
        {
            return [fullRef];
        }
        if (!annotations.TryGetValue(Annotations.RefName, out var refName) || refName.Length == 0)
        {
            return [];
        }
        if (TagOnly().IsMatch(refName))
        {
            return defaultRepository is null ? [] : [ImageReference.ParseNormalizedName(defaultRepository).WithTag(refName)];
        }
        return ImageReference.TryParseNormalized(refName, out var reference) ? [reference] : [];
    }

    private static async Task<T> DeserializeAsync<T>(Stream stream, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync(stream, type, cancellationToken).ConfigureAwait(false)
                ?? throw CoreException.InvalidArgument($"OCI layout: {what} is null");
        }
        catch (JsonException e)
        {
            throw CoreException.InvalidArgument($"OCI layout: {what} is not valid: {e.Message}", e);
        }
    }

    [GeneratedRegex(@"^[\w][\w.-]{0,127}$")]
    private static partial Regex TagOnly();
}
