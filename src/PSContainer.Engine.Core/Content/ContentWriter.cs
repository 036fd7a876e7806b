using System.Security.Cryptography;
using System.Text.Json;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.Engine.Core.Metadata;
using PSContainer.Oci;

namespace PSContainer.Engine.Core.Content;

/// <summary>
/// One ingest: <c>ingest/&lt;hash of ref&gt;/{data,status.json,lock}</c>. Opening an existing ingest
/// resumes it: the hash is rebuilt from the bytes already on disk, so a resumed write is
/// verified exactly like a fresh one. The lock file is held with an exclusive lock (flock)
/// for the writer's lifetime, which also keeps another process off the same ingest.
/// </summary>
internal sealed class ContentWriter : IContentWriter
{
    private readonly ContentStore _store;
    private readonly string _directory;
    private readonly FileStream _lock;
    private readonly FileStream _data;
    private readonly IncrementalHash _hash;
    private readonly Action _release;
    private readonly long _expectedSize;
    private readonly Digest? _expected;
    private readonly DateTimeOffset _startedAt;
    private bool _finished;
    private Digest? _final;
    private bool _disposed;

    private ContentWriter(ContentStore store, string reference, string directory, FileStream lockFile, FileStream data,
        IncrementalHash hash, long expectedSize, Digest? expected, DateTimeOffset startedAt, Action release)
    {
        _store = store;
        Reference = reference;
        _directory = directory;
        _lock = lockFile;
        _data = data;
        _hash = hash;
        _expectedSize = expectedSize;
        _expected = expected;
        _startedAt = startedAt;
        _release = release;
        Offset = data.Length;
    }

    public string Reference { get; }

    public long Offset { get; private set; }

    private string DataPath => Path.Combine(_directory, "data");

    internal static ContentWriter Open(ContentStore store, string reference, string directory, long expectedSize, Digest? expected, Action release)
    {
        Directory.CreateDirectory(directory);
        FileStream lockFile;
        try
        {
            // FileShare.None is an exclusive flock on Unix: another process writing this ref fails here.
            lockFile = new FileStream(Path.Combine(directory, "lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw CoreException.Unavailable($"ingest {reference}: locked by another writer ({e.Message})");
        }
        try
        {
            var previous = ReadStatus(directory);
            var startedAt = DateTimeOffset.UtcNow;
            var resume = previous is not null && previous.Reference == reference
                && (expected is null || previous.Expected is null || previous.Expected == expected)
                && (expectedSize < 0 || previous.Total < 0 || previous.Total == expectedSize);
            if (resume)
            {
                startedAt = previous!.StartedAt;
                expected ??= previous.Expected;
                expectedSize = expectedSize < 0 ? previous.Total : expectedSize;
            }
            var data = new FileStream(Path.Combine(directory, "data"), resume ? FileMode.OpenOrCreate : FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16);
            var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            try
            {
                if (expectedSize >= 0 && data.Length > expectedSize)
                {
                    data.SetLength(0);
                }
                // Rebuild the hash from what is already there: a resumed blob is verified in full.
                var buffer = new byte[1 << 16];
                int read;
                while ((read = data.Read(buffer)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                }
                var writer = new ContentWriter(store, reference, directory, lockFile, data, hash, expectedSize, expected, startedAt, release);
                writer.WriteStatus();
                return writer;
            }
            catch
            {
                hash.Dispose();
                data.Dispose();
                throw;
            }
        }
        catch
        {
            lockFile.Dispose();
            throw;
        }
    }

    public async Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed || _finished, this);
        if (_expectedSize >= 0 && Offset + data.Length > _expectedSize)
        {
            Discard();
            throw CoreException.DataCorrupted(
                $"content {Describe()}: more data than the expected size {_expectedSize} (at least {Offset + data.Length} bytes)");
        }
        await _data.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        _hash.AppendData(data.Span);
        Offset += data.Length;
    }

    public Digest CurrentDigest() => _final ?? Digest.FromHash(_hash.GetCurrentHash());

    public async Task<Digest> CommitAsync(long size = -1, Digest? expected = null, IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed || _finished, this);
        size = size >= 0 ? size : _expectedSize;
        expected ??= _expected;
        await _data.FlushAsync(cancellationToken).ConfigureAwait(false);
        _data.Flush(flushToDisk: true);
        if (size >= 0 && Offset != size)
        {
            Discard();
            throw CoreException.DataCorrupted($"content {Describe(expected)}: size mismatch: expected {size} bytes, got {Offset}");
        }
        var actual = CurrentDigest();
        _final = actual;
        if (expected is { } want && want != actual)
        {
            Discard();
            throw CoreException.DataCorrupted($"content {Describe(expected)}: digest mismatch: expected {want}, got {actual}");
        }
        _data.Dispose();
        var committed = _store.CommitFile(DataPath, actual, labels);
        Finish();
        return committed ? actual : throw CoreException.AlreadyExists($"content {actual}: already exists");
    }

    private string Describe(Digest? expected = null) => expected is { } d ? $"{d} (ref {Reference})" : $"ref {Reference}";

    /// <summary>Drops the ingest after a verification failure: nothing of it may be resumed or committed.</summary>
    private void Discard()
    {
        _data.Dispose();
        Finish();
    }

    private void Finish()
    {
        _finished = true;
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        Release();
    }

    private void Release()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _hash.Dispose();
        _lock.Dispose();
        _release();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        if (!_finished)
        {
            await _data.FlushAsync().ConfigureAwait(false);
            await _data.DisposeAsync().ConfigureAwait(false);
            WriteStatus();
        }
        Release();
    }

    private void WriteStatus()
    {
        var status = new IngestStatusRecord
        {
            Reference = Reference,
            Total = _expectedSize,
            Expected = _expected?.ToString(),
            StartedAt = _startedAt,
        };
        File.WriteAllBytes(Path.Combine(_directory, "status.json"), JsonSerializer.SerializeToUtf8Bytes(status, CoreJsonContext.Default.IngestStatusRecord));
    }

    internal static IngestStatus? ReadStatus(string directory)
    {
        try
        {
            var record = JsonSerializer.Deserialize(File.ReadAllBytes(Path.Combine(directory, "status.json")), CoreJsonContext.Default.IngestStatusRecord);
            if (record is null)
            {
                return null;
            }
            var data = new FileInfo(Path.Combine(directory, "data"));
            Digest? expected = Digest.TryParse(record.Expected, out var d) ? d : null;
            return new IngestStatus(record.Reference, data.Exists ? data.Length : 0, record.Total, expected, record.StartedAt,
                data.Exists ? data.LastWriteTimeUtc : record.StartedAt);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return null;
        }
    }
}

internal sealed class IngestStatusRecord
{
    public string Reference { get; set; } = "";
    public long Total { get; set; } = -1;
    public string? Expected { get; set; }
    public DateTimeOffset StartedAt { get; set; }
}
