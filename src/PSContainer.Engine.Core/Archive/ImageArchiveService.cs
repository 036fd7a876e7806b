using PSContainer.Engine.Core.Content;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.Engine.Core.Gc;
using PSContainer.Engine.Core.Images;

namespace PSContainer.Engine.Core.Archive;

/// <summary>
/// <see cref="IImageArchiveService"/>: loads go archive → content store (verified) → snapshots
/// (unpacked, diff ids verified) → image records, the records last, so a failure at any step
/// before leaves no image; a lease keeps the new blobs and snapshots from GC while it runs.
/// </summary>
public sealed class ImageArchiveService : IImageArchiveService
{
    private readonly IContentStore _content;
    private readonly IImageStore _images;
    private readonly ImageUnpacker _unpacker;
    private readonly IGarbageCollector _gc;
    private readonly string _tempRoot;

    public ImageArchiveService(IContentStore content, IImageStore images, ImageUnpacker unpacker, IGarbageCollector gc, string tempRoot)
    {
        _content = content;
        _images = images;
        _unpacker = unpacker;
        _gc = gc;
        _tempRoot = tempRoot;
    }

    public async Task<LoadResult> LoadAsync(Stream archive, LoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var spooled = await SpooledArchive.ExtractAsync(archive, _tempRoot, cancellationToken).ConfigureAwait(false);
        return await LoadAsync(spooled, options, cancellationToken).ConfigureAwait(false);
    }

    public Task<LoadResult> LoadOciLayoutAsync(string directory, LoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(directory))
        {
            throw CoreException.NotFound($"OCI layout {directory}: no such directory");
        }
        return LoadAsync(new DirectoryArchiveSource(directory), options, cancellationToken);
    }

    private async Task<LoadResult> LoadAsync(IArchiveSource source, LoadOptions? options, CancellationToken cancellationToken)
    {
        using var lease = _gc.CreateLease("load");
        IReadOnlyList<PendingImage> pending;
        if (source.Exists(DockerArchiveReader.ManifestFile))
        {
            pending = await DockerArchiveReader.ReadAsync(source, _content, lease, cancellationToken).ConfigureAwait(false);
        }
        else if (source.Exists(OciLayoutReader.IndexFile))
        {
            pending = await OciLayoutReader.ReadAsync(source, _content, lease, options?.DefaultRepository, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            throw CoreException.InvalidArgument(
                "the archive is neither a docker-archive (no manifest.json) nor an OCI layout (no index.json and oci-layout)");
        }
        foreach (var image in pending)
        {
            await _unpacker.UnpackAsync(image.ParsedManifest, image.Config, lease, options?.Progress, cancellationToken).ConfigureAwait(false);
        }
        var images = new List<Image>();
        var messages = new List<string>();
        foreach (var image in pending)
        {
            var recorded = _images.Create(image.Manifest, image.Names, image.Index);
            images.Add(recorded);
            if (image.Names.Count == 0)
            {
                messages.Add($"Loaded image ID: {recorded.Id}");
            }
            messages.AddRange(image.Names.Select(n => $"Loaded image: {n.FamiliarString()}"));
        }
        foreach (var message in messages)
        {
            options?.Progress?.Report(message);
        }
        return new LoadResult(images, messages);
    }

    public Task SaveDockerArchiveAsync(IReadOnlyList<string> namesOrIds, Stream output, CancellationToken cancellationToken = default) =>
        new ArchiveWriter(_content, _tempRoot).WriteDockerArchiveAsync(Select(namesOrIds), output, cancellationToken);

    public Task SaveOciArchiveAsync(IReadOnlyList<string> namesOrIds, Stream output, CancellationToken cancellationToken = default) =>
        new ArchiveWriter(_content, _tempRoot).WriteOciArchiveAsync(Select(namesOrIds), output, cancellationToken);

    /// <summary>
    /// What <c>docker save</c> saves for its arguments: "repo:tag" that tag; "repo" (no tag) every
    /// tag of the repository; an id (or a prefix) the image without names.
    /// </summary>
    private List<(Image Image, List<ImageReference> Names)> Select(IReadOnlyList<string> namesOrIds)
    {
        if (namesOrIds.Count == 0)
        {
            throw CoreException.InvalidArgument("save: no image names or ids given");
        }
        var result = new List<(Image Image, List<ImageReference> Names)>();
        void Add(Image image, ImageReference? name)
        {
            var existing = result.FindIndex(r => r.Image.Id == image.Id);
            if (existing < 0)
            {
                result.Add((image, []));
                existing = result.Count - 1;
            }
            if (name is not null && !result[existing].Names.Contains(name))
            {
                result[existing].Names.Add(name);
            }
        }
        foreach (var nameOrId in namesOrIds)
        {
            ImageReference? name = null;
            if (!Oci.Digest.TryParse(nameOrId, out _))
            {
                ImageReference.TryParseNormalized(nameOrId, out name);
            }
            var bare = name is not null && ImageReference.ParseNormalizedName(nameOrId) is { Tag: null, Digest: null };
            if (bare)
            {
                // A bare repository: every tagged image of it (or, failing that, an id prefix).
                var tagged = _images.List()
                    .SelectMany(i => i.References.Where(r => r.Name == name!.Name && r.Tag is not null && r.Digest is null).Select(r => (i, r)))
                    .ToList();
                foreach (var (image, reference) in tagged)
                {
                    Add(image, reference);
                }
                if (tagged.Count > 0)
                {
                    continue;
                }
            }
            var found = _images.Get(nameOrId);
            Add(found, name is not null && name.Digest is null && found.References.Contains(name) ? name : null);
        }
        return result;
    }

    public Task<Image> ImportRootfsAsync(Stream rootfsTar, ImportOptions? options = null, CancellationToken cancellationToken = default) =>
        new RootfsImporter(_content, _images, _unpacker, _gc).ImportAsync(rootfsTar, options ?? new ImportOptions(), cancellationToken);
}
