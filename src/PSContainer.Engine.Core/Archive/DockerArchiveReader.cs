using System.Text.Json;
using PSContainer.Engine.Core.Content;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.Engine.Core.Gc;
using PSContainer.Engine.Core.Images;
using PSContainer.Oci;

namespace PSContainer.Engine.Core.Archive;

/// <summary>
/// Reads a docker-archive (manifest.json, config json, layer tars) into the content store. The
/// layers are stored as they are in the archive (plain tars, normally) and a Docker v2 schema 2
/// manifest is written for them, so the image id (the config digest) is the archive's.
/// </summary>
internal static class DockerArchiveReader
{
    public const string ManifestFile = "manifest.json";

    public static async Task<IReadOnlyList<PendingImage>> ReadAsync(IArchiveSource source, IContentStore content, Lease lease, CancellationToken cancellationToken)
    {
        List<DockerArchiveManifestEntry> entries;
        try
        {
            using var stream = source.Open(ManifestFile);
            entries = await JsonSerializer.DeserializeAsync(stream, ArchiveJsonContext.Default.ListDockerArchiveManifestEntry, cancellationToken).ConfigureAwait(false)
                ?? throw CoreException.InvalidArgument("docker-archive: manifest.json is null");
        }
        catch (JsonException e)
        {
            throw CoreException.InvalidArgument($"docker-archive: manifest.json is not valid: {e.Message}", e);
        }
        var result = new List<PendingImage>();
        foreach (var entry in entries)
        {
            result.Add(await ReadImageAsync(source, content, lease, entry, cancellationToken).ConfigureAwait(false));
        }
        return result;
    }

    private static async Task<PendingImage> ReadImageAsync(IArchiveSource source, IContentStore content, Lease lease, DockerArchiveManifestEntry entry, CancellationToken cancellationToken)
    {
        if (entry.LayerSources is { Count: > 0 })
        {
            throw CoreException.NotImplemented("docker-archive: foreign layers (LayerSources) are not supported");
        }
        byte[] configBytes;
        using (var stream = source.Open(entry.Config))
        using (var memory = new MemoryStream())
        {
            await stream.CopyToAsync(memory, cancellationToken).ConfigureAwait(false);
            configBytes = memory.ToArray();
        }
        var config = ParseConfig(configBytes, entry.Config);
        if (config.RootFs.DiffIds.Count != entry.Layers.Count)
        {
            throw CoreException.InvalidArgument(
                $"docker-archive: config {entry.Config} lists {config.RootFs.DiffIds.Count} diff ids but manifest.json lists {entry.Layers.Count} layers");
        }
        var configDescriptor = new Descriptor { MediaType = MediaTypes.DockerConfig, Digest = Digest.FromBytes(configBytes), Size = configBytes.Length };
        lease.AddBlob(configDescriptor.Digest);
        await content.WriteBlobAsync(configDescriptor.MediaType, configBytes, cancellationToken: cancellationToken).ConfigureAwait(false);

        var layers = new List<Descriptor>();
        foreach (var layerPath in entry.Layers)
        {
            using var stream = source.Open(layerPath);
            var compressed = IsGzip(stream);
            var digest = await content.WriteBlobAsync($"load-{Guid.NewGuid():N}", stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            lease.AddBlob(digest);
            layers.Add(new Descriptor
            {
                MediaType = compressed ? MediaTypes.DockerLayerGzip : MediaTypes.DockerLayer,
                Digest = digest,
                Size = content.Info(digest).Size,
            });
        }
        var manifest = new ImageManifest { SchemaVersion = 2, MediaType = MediaTypes.DockerManifest, Config = configDescriptor, Layers = layers };
        var manifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest, ImageJsonContext.Default.ImageManifest);
        var manifestDescriptor = await content.WriteBlobAsync(MediaTypes.DockerManifest, manifestBytes, cancellationToken: cancellationToken).ConfigureAwait(false);
        lease.AddBlob(manifestDescriptor.Digest);

        var names = new List<ImageReference>();
        foreach (var tag in entry.RepoTags ?? [])
        {
            try
            {
                names.Add(ImageReference.ParseNormalized(tag));
            }
            catch (FormatException e)
            {
                throw CoreException.InvalidArgument($"docker-archive: RepoTags entry \"{tag}\": {e.Message}", e);
            }
        }
        return new PendingImage(manifestDescriptor, manifest, config, null, names);
    }

    internal static OciImage ParseConfig(byte[] bytes, string what)
    {
        try
        {
            var config = JsonSerializer.Deserialize(bytes, ImageJsonContext.Default.OciImage)
                ?? throw CoreException.InvalidArgument($"image config {what} is null");
            if (config.RootFs.Type != "layers")
            {
                throw CoreException.InvalidArgument($"image config {what}: rootfs type \"{config.RootFs.Type}\" is not \"layers\"");
            }
            return config;
        }
        catch (JsonException e)
        {
            throw CoreException.InvalidArgument($"image config {what} is not valid: {e.Message}", e);
        }
    }

    private static bool IsGzip(Stream seekable)
    {
        Span<byte> magic = stackalloc byte[2];
        var n = seekable.Read(magic);
        seekable.Position = 0;
        return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }
}
