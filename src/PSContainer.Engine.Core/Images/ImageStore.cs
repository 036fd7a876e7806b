using System.Collections.Concurrent;
using System.Text.Json;
using PSContainer.Engine.Core.Content;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.Engine.Core.Metadata;
using PSContainer.Oci;

namespace PSContainer.Engine.Core.Images;

/// <summary>
/// <see cref="IImageStore"/> over the metadata store (records) and the content store (manifests and
/// configs, parsed once per image and cached: they are immutable by digest).
/// </summary>
public sealed class ImageStore : IImageStore
{
    private readonly IContentStore _content;
    private readonly IRecordStore<ImageRecord> _images;
    private readonly IRecordStore<ReferenceRecord> _references;
    private readonly ConcurrentDictionary<Digest, (ImageManifest Manifest, OciImage Config)> _parsed = new();
    private readonly Lock _lock = new();

    public ImageStore(IContentStore content, IMetadataStore metadata)
    {
        _content = content;
        _images = metadata.Collection("images", ImageRecordJsonContext.Default.ImageRecord, cacheInMemory: true);
        _references = metadata.Collection("references", ImageRecordJsonContext.Default.ReferenceRecord, cacheInMemory: true);
    }

    public Image Create(Descriptor manifest, IEnumerable<ImageReference> references, Descriptor? index = null)
    {
        if (!MediaTypes.IsManifest(manifest.MediaType))
        {
            throw CoreException.InvalidArgument($"image target {manifest.Digest}: media type {manifest.MediaType} is not an image manifest");
        }
        var (parsedManifest, _) = Parse(manifest);
        var id = parsedManifest.Config.Digest;
        var refs = references.ToList();
        lock (_lock)
        {
            var existing = _images.Get(id.ToString());
            if (existing is null || existing.Target.Digest != manifest.Digest)
            {
                _images.Put(id.ToString(), new ImageRecord
                {
                    Id = id,
                    Target = manifest,
                    Index = index,
                    LoadedAt = existing?.LoadedAt ?? DateTimeOffset.UtcNow,
                });
            }
            foreach (var reference in refs)
            {
                _references.Put(reference.ToString(), new ReferenceRecord { Reference = reference.ToString(), ImageId = id });
            }
            return Build(_images.Get(id.ToString())!);
        }
    }

    public Image Get(string nameOrId) =>
        TryGet(nameOrId, out var image) ? image : throw CoreException.NotFound($"No such image: {nameOrId}");

    public bool TryGet(string nameOrId, out Image image)
    {
        image = null!;
        var record = Resolve(nameOrId);
        if (record is null)
        {
            return false;
        }
        image = Build(record);
        return true;
    }

    private ImageRecord? Resolve(string nameOrId)
    {
        if (string.IsNullOrWhiteSpace(nameOrId))
        {
            throw CoreException.InvalidArgument("image name or id must not be empty");
        }
        if (Digest.TryParse(nameOrId, out var fullId))
        {
            return _images.Get(fullId.ToString());
        }
        if (ImageReference.TryParseNormalized(nameOrId, out var reference))
        {
            if (_references.Get(reference.ToString()) is { } byName && _images.Get(byName.ImageId.ToString()) is { } named)
            {
                return named;
            }
            if (reference.Digest is { } digest)
            {
                // name@digest: an image of that repository whose manifest or index has the digest.
                var sameRepository = _references.List()
                    .Where(r => ImageReference.ParseNormalized(r.Value.Reference).Name == reference.Name)
                    .Select(r => _images.Get(r.Value.ImageId.ToString()))
                    .FirstOrDefault(i => i is not null && (i.Target.Digest == digest || i.Index?.Digest == digest));
                if (sameRepository is not null)
                {
                    return sameRepository;
                }
            }
        }
        var prefix = nameOrId.StartsWith(Digest.Sha256 + ":", StringComparison.Ordinal) ? nameOrId[(Digest.Sha256.Length + 1)..] : nameOrId;
        if (prefix.Length is > 0 and <= 64 && prefix.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f'))
        {
            var matches = _images.List().Where(r => r.Value.Id.Encoded.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            if (matches.Count > 1)
            {
                throw CoreException.InvalidArgument($"image id prefix {prefix} is ambiguous: it matches {matches.Count} images");
            }
            return matches.Count == 1 ? matches[0].Value : null;
        }
        return null;
    }

    public IReadOnlyList<Image> List()
    {
        lock (_lock)
        {
            return [.. _images.List().Select(r => Build(r.Value))];
        }
    }

    public Image Tag(string source, string target)
    {
        ImageReference reference;
        try
        {
            reference = ImageReference.ParseNormalized(target);
        }
        catch (FormatException e)
        {
            throw CoreException.InvalidArgument(e.Message, e);
        }
        if (reference.Digest is not null)
        {
            throw CoreException.InvalidArgument($"refusing to create a tag with a digest reference: {target}");
        }
        lock (_lock)
        {
            var image = Resolve(source) ?? throw CoreException.NotFound($"No such image: {source}");
            _references.Put(reference.ToString(), new ReferenceRecord { Reference = reference.ToString(), ImageId = image.Id });
            return Build(image);
        }
    }

    public Image Untag(string reference)
    {
        ImageReference parsed;
        try
        {
            parsed = ImageReference.ParseNormalized(reference);
        }
        catch (FormatException e)
        {
            throw CoreException.InvalidArgument(e.Message, e);
        }
        lock (_lock)
        {
            var record = _references.Get(parsed.ToString()) ?? throw CoreException.NotFound($"No such image: {reference}");
            _references.Delete(parsed.ToString());
            var image = _images.Get(record.ImageId.ToString()) ?? throw CoreException.NotFound($"No such image: {record.ImageId}");
            return Build(image);
        }
    }

    public void Delete(Digest imageId)
    {
        lock (_lock)
        {
            foreach (var reference in _references.List().Where(r => r.Value.ImageId == imageId))
            {
                _references.Delete(reference.Key);
            }
            if (!_images.Delete(imageId.ToString()))
            {
                throw CoreException.NotFound($"No such image: {imageId}");
            }
        }
    }

    private Image Build(ImageRecord record)
    {
        var (manifest, config) = Parse(record.Target);
        var references = _references.List()
            .Where(r => r.Value.ImageId == record.Id)
            .Select(r => ImageReference.ParseNormalized(r.Value.Reference))
            .ToList();
        return new Image
        {
            Id = record.Id,
            Target = record.Target,
            Index = record.Index,
            Manifest = manifest,
            Config = config,
            References = references,
            LoadedAt = record.LoadedAt,
        };
    }

    private (ImageManifest Manifest, OciImage Config) Parse(Descriptor target) =>
        _parsed.GetOrAdd(target.Digest, _ =>
        {
            var manifest = ReadJson(target.Digest, ImageJsonContext.Default.ImageManifest, "manifest");
            var config = ReadJson(manifest.Config.Digest, ImageJsonContext.Default.OciImage, "image config");
            return (manifest, config);
        });

    private T ReadJson<T>(Digest digest, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string what)
    {
        try
        {
            return JsonSerializer.Deserialize(_content.ReadAllBytes(digest), type)
                ?? throw CoreException.DataCorrupted($"{what} {digest}: null document");
        }
        catch (JsonException e)
        {
            throw new CoreException(CoreErrorKind.DataCorrupted, $"{what} {digest}: not valid JSON: {e.Message}", e);
        }
    }
}
