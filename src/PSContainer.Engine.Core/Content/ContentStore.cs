using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.Engine.Core.Metadata;
using PSContainer.Interop.Linux;
using PSContainer.Oci;

namespace PSContainer.Engine.Core.Content;

/// <summary>
/// The content store on a local file system (see <see cref="IContentStore"/> for the layout).
/// Labels are kept beside the blobs in <c>labels/sha256/&lt;hex&gt;.json</c>.
/// </summary>
public sealed class ContentStore : IContentStore
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _refLocks = new(StringComparer.Ordinal);
    private readonly object _labelLock = new();

    public ContentStore(string root)
    {
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(BlobsDirectory);
        Directory.CreateDirectory(IngestDirectory);
        Directory.CreateDirectory(LabelsDirectory);
    }

    public string Root { get; }

    internal string BlobsDirectory => Path.Combine(Root, "blobs", Digest.Sha256);

    internal string IngestDirectory => Path.Combine(Root, "ingest");

    private string LabelsDirectory => Path.Combine(Root, "labels", Digest.Sha256);

    /// <summary>Where the blob lives on disk (it may not exist).</summary>
    public string BlobPath(Digest digest) => Path.Combine(BlobsDirectory, digest.Encoded);

    private string LabelsPath(Digest digest) => Path.Combine(LabelsDirectory, digest.Encoded + ".json");

    public ContentInfo Info(Digest digest)
    {
        var file = new FileInfo(BlobPath(digest));
        if (!file.Exists)
        {
            throw CoreException.NotFound($"content {digest}: not found");
        }
        return new ContentInfo(digest, file.Length, file.LastWriteTimeUtc, ReadLabels(digest));
    }

    public bool Exists(Digest digest) => File.Exists(BlobPath(digest));

    public Stream OpenRead(Digest digest)
    {
        try
        {
            return new FileStream(BlobPath(digest), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
        }
        catch (FileNotFoundException)
        {
            throw CoreException.NotFound($"content {digest}: not found");
        }
    }

    public async Task<IContentWriter> OpenWriterAsync(string reference, long expectedSize = -1, Digest? expected = null, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(reference))
        {
            throw CoreException.InvalidArgument("content writer: the ingest reference must not be empty");
        }
        if (expected is { } e && Exists(e))
        {
            throw CoreException.AlreadyExists($"content {e}: already exists");
        }
        var gate = _refLocks.GetOrAdd(reference, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (expected is { } again && Exists(again))
            {
                throw CoreException.AlreadyExists($"content {again}: already exists");
            }
            return ContentWriter.Open(this, reference, IngestPath(reference), expectedSize, expected, () => gate.Release());
        }
        catch
        {
            gate.Release();
            throw;
        }
    }

    /// <summary>The ingest directory of a reference: a hash, so any string is a safe reference.</summary>
    private string IngestPath(string reference) =>
        Path.Combine(IngestDirectory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(reference))));

    public void Delete(Digest digest)
    {
        var path = BlobPath(digest);
        if (!File.Exists(path))
        {
            throw CoreException.NotFound($"content {digest}: not found");
        }
        File.Delete(path);
        lock (_labelLock)
        {
            File.Delete(LabelsPath(digest));
        }
    }

    public IEnumerable<ContentInfo> Walk()
    {
        foreach (var file in new DirectoryInfo(BlobsDirectory).EnumerateFiles())
        {
            if (Digest.TryParse($"{Digest.Sha256}:{file.Name}", out var digest))
            {
                yield return new ContentInfo(digest, file.Length, file.LastWriteTimeUtc, ReadLabels(digest));
            }
        }
    }

    public IReadOnlyDictionary<string, string> UpdateLabels(Digest digest, IReadOnlyDictionary<string, string?> changes)
    {
        lock (_labelLock)
        {
            if (!Exists(digest))
            {
                throw CoreException.NotFound($"content {digest}: not found");
            }
            var labels = new Dictionary<string, string>(ReadLabels(digest), StringComparer.Ordinal);
            foreach (var (key, value) in changes)
            {
                if (value is null)
                {
                    labels.Remove(key);
                }
                else
                {
                    labels[key] = value;
                }
            }
            WriteLabels(digest, labels);
            return labels;
        }
    }

    internal void WriteLabels(Digest digest, IReadOnlyDictionary<string, string> labels)
    {
        if (labels.Count == 0)
        {
            File.Delete(LabelsPath(digest));
            return;
        }
        var json = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>(labels), CoreJsonContext.Default.DictionaryStringString);
        AtomicFile.WriteAllBytes(LabelsPath(digest), json);
    }

    private IReadOnlyDictionary<string, string> ReadLabels(Digest digest)
    {
        try
        {
            var bytes = File.ReadAllBytes(LabelsPath(digest));
            return JsonSerializer.Deserialize(bytes, CoreJsonContext.Default.DictionaryStringString) ?? [];
        }
        catch (FileNotFoundException)
        {
            return new Dictionary<string, string>();
        }
    }

    public IReadOnlyList<IngestStatus> ListIngests()
    {
        var result = new List<IngestStatus>();
        foreach (var dir in new DirectoryInfo(IngestDirectory).EnumerateDirectories())
        {
            var status = ContentWriter.ReadStatus(dir.FullName);
            if (status is not null)
            {
                result.Add(status);
            }
        }
        return result;
    }

    public void Abort(string reference)
    {
        var path = IngestPath(reference);
        if (!Directory.Exists(path))
        {
            throw CoreException.NotFound($"ingest {reference}: not found");
        }
        Directory.Delete(path, recursive: true);
    }

    /// <summary>Moves a verified ingest file into place; false when the blob already existed.</summary>
    internal bool CommitFile(string dataPath, Digest digest, IReadOnlyDictionary<string, string>? labels)
    {
        var target = BlobPath(digest);
        if (File.Exists(target))
        {
            return false;
        }
        Libc.Check(Libc.fchmodat(Libc.AT_FDCWD, dataPath, 0x124 /* 0444: blobs are immutable */, 0), "chmod", dataPath);
        try
        {
            // No overwrite: of two writers of the same digest, exactly one wins.
            File.Move(dataPath, target, overwrite: false);
        }
        catch (IOException) when (File.Exists(target))
        {
            return false;
        }
        AtomicFile.FsyncDirectory(BlobsDirectory);
        if (labels is { Count: > 0 })
        {
            lock (_labelLock)
            {
                WriteLabels(digest, labels);
            }
        }
        return true;
    }
}
