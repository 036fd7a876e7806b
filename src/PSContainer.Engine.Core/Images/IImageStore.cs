using PSContainer.Oci;

namespace PSContainer.Engine.Core.Images;

/// <summary>
/// Images by id (the config digest, like Docker) and the references (repo:tag, repo@digest) that
/// point at them. The manifests, configs and layers themselves live in the content store.
/// </summary>
public interface IImageStore
{
    /// <summary>
    /// Records the image whose platform manifest is <paramref name="manifest"/> (already in the
    /// content store, with its config and layers) and points <paramref name="references"/> at it;
    /// a tag that pointed at another image moves (that image stays, perhaps untagged).
    /// <paramref name="index"/> is the index/manifest list it was selected from, if any.
    /// </summary>
    Image Create(Descriptor manifest, IEnumerable<ImageReference> references, Descriptor? index = null);

    /// <summary>
    /// Finds an image like Docker: full id "sha256:…", a name (normalised; "busybox" means
    /// busybox:latest), name@digest, or an unambiguous id prefix. NotFound otherwise
    /// ("No such image: …"); an ambiguous prefix is InvalidArgument.
    /// </summary>
    Image Get(string nameOrId);

    bool TryGet(string nameOrId, out Image image);

    IReadOnlyList<Image> List();

    /// <summary>Points <paramref name="target"/> (normalised, default tag latest) at the image found by <paramref name="source"/>.</summary>
    Image Tag(string source, string target);

    /// <summary>Removes one reference (not an id). Returns the image it pointed at, as it is after the removal.</summary>
    Image Untag(string reference);

    /// <summary>Removes the image record and every reference to it. Content stays until GC.</summary>
    void Delete(Digest imageId);
}

/// <summary>An image as the daemon sees it: id, references, manifest, config and layer chain.</summary>
public sealed class Image
{
    public required Digest Id { get; init; }

    /// <summary>The platform manifest (OCI or Docker schema 2).</summary>
    public required Descriptor Target { get; init; }

    /// <summary>The index or manifest list the manifest was selected from, if any.</summary>
    public Descriptor? Index { get; init; }

    public required ImageManifest Manifest { get; init; }

    public required OciImage Config { get; init; }

    /// <summary>References that name the image: tags ("docker.io/library/busybox:latest") and digests.</summary>
    public required IReadOnlyList<ImageReference> References { get; init; }

    /// <summary>When the image record was created here.</summary>
    public required DateTimeOffset LoadedAt { get; init; }

    /// <summary>Docker's RepoTags: familiar "busybox:latest" strings.</summary>
    public IReadOnlyList<string> RepoTags =>
        [.. References.Where(r => r.Tag is not null && r.Digest is null).Select(r => r.FamiliarString())];

    /// <summary>Docker's RepoDigests: familiar "busybox@sha256:…" strings.</summary>
    public IReadOnlyList<string> RepoDigests =>
        [.. References.Where(r => r.Digest is not null).Select(r => r.FamiliarName + "@" + r.Digest)];

    /// <summary>Uncompressed layer digests, bottom first.</summary>
    public IReadOnlyList<Digest> DiffIds => Config.RootFs.DiffIds;

    /// <summary>Chain ids of the layers, bottom first; each names the committed snapshot of that layer.</summary>
    public IReadOnlyList<Digest> ChainIds => Layers.ChainIds(DiffIds);

    /// <summary>Sum of the compressed layer sizes in the manifest.</summary>
    public long ContentSize => Manifest.Layers.Sum(l => l.Size);

    /// <summary>"sha256:…" without the algorithm, 12 characters: Docker's short id.</summary>
    public string ShortId => Id.Encoded[..12];
}
