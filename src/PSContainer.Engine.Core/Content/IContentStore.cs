using PSContainer.Oci;

namespace PSContainer.Engine.Core.Content;

/// <summary>
/// Blobs addressed by digest (containerd's content store). Layout under the store root:
/// <c>blobs/sha256/&lt;hex&gt;</c> for committed blobs and <c>ingest/&lt;ref-hash&gt;/</c> for writes in
/// progress. A blob is visible only after its digest and size were verified; a commit is one rename.
/// </summary>
public interface IContentStore
{
    /// <summary>Size, creation time and labels of a committed blob; <see cref="Errdefs.CoreErrorKind.NotFound"/> if absent.</summary>
    ContentInfo Info(Digest digest);

    bool Exists(Digest digest);

    /// <summary>Opens a committed blob for reading (seekable).</summary>
    Stream OpenRead(Digest digest);

    /// <summary>
    /// Opens (or resumes) the ingest named <paramref name="reference"/>. Writes to the same reference
    /// are serialised: a second caller waits until the first writer is disposed. When
    /// <paramref name="expected"/> is already committed this throws AlreadyExists, so callers skip it.
    /// </summary>
    Task<IContentWriter> OpenWriterAsync(string reference, long expectedSize = -1, Digest? expected = null, CancellationToken cancellationToken = default);

    /// <summary>Removes a committed blob; NotFound if absent.</summary>
    void Delete(Digest digest);

    /// <summary>Every committed blob.</summary>
    IEnumerable<ContentInfo> Walk();

    /// <summary>Sets (value non-null) or removes (value null) labels of a committed blob; returns the new set.</summary>
    IReadOnlyDictionary<string, string> UpdateLabels(Digest digest, IReadOnlyDictionary<string, string?> changes);

    /// <summary>Writes in progress (or abandoned).</summary>
    IReadOnlyList<IngestStatus> ListIngests();

    /// <summary>Removes an ingest and its partial data; NotFound if there is none.</summary>
    void Abort(string reference);
}

/// <summary>A write into the content store. Dispose without commit keeps the partial data for a resume.</summary>
public interface IContentWriter : IAsyncDisposable
{
    string Reference { get; }

    /// <summary>Bytes written so far (the resume point of a resumed ingest).</summary>
    long Offset { get; }

    Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>Digest of the bytes written so far.</summary>
    Digest CurrentDigest();

    /// <summary>
    /// Verifies size and digest (those given here or at open) and commits by rename. On a mismatch
    /// it throws DataCorrupted, commits nothing and discards the ingest. If the blob was committed
    /// meanwhile by another writer it throws AlreadyExists and discards this ingest.
    /// </summary>
    Task<Digest> CommitAsync(long size = -1, Digest? expected = null, IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default);
}

public sealed record ContentInfo(Digest Digest, long Size, DateTimeOffset CreatedAt, IReadOnlyDictionary<string, string> Labels);

public sealed record IngestStatus(string Reference, long Offset, long Total, Digest? Expected, DateTimeOffset StartedAt, DateTimeOffset UpdatedAt);

/// <summary>Label keys with a meaning to the garbage collector.</summary>
public static class ContentLabels
{
    /// <summary>A blob carrying this label (any value) is a GC root and never collected.</summary>
    public const string GcRoot = "containerd.io/gc.root";
}
