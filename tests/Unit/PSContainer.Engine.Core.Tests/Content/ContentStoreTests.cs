using System.Text;
using PSContainer.Engine.Core.Content;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.Oci;
using Xunit;

namespace PSContainer.Engine.Core.Tests.Content;

public sealed class ContentStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ContentStore _store;

    public ContentStoreTests()
    {
        _store = new ContentStore(_dir.Combine("content"));
    }

    public void Dispose() => _dir.Dispose();

    private static byte[] Data(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task Committed_blob_is_stored_under_its_digest_and_readable()
    {
        var data = Data("hello blob");
        var digest = Digest.FromBytes(data);
        await using (var writer = await _store.OpenWriterAsync("ref1", data.Length, digest))
        {
            await writer.WriteAsync(data);
            Assert.Equal(digest, await writer.CommitAsync());
        }
        Assert.True(File.Exists(_dir.Combine("content", "blobs", "sha256", digest.Encoded)));
        Assert.Equal(data, _store.ReadAllBytes(digest));
        Assert.Equal(data.Length, _store.Info(digest).Size);
        Assert.Empty(_store.ListIngests());
        Assert.Contains(_store.Walk(), i => i.Digest == digest);
    }

    [Fact]
    public async Task Digest_mismatch_is_refused_and_nothing_is_committed()
    {
        var data = Data("actual bytes");
        var claimed = Digest.FromBytes(Data("other bytes"));
        await using var writer = await _store.OpenWriterAsync("ref-bad", data.Length, claimed);
        await writer.WriteAsync(data);
        var error = await Assert.ThrowsAsync<CoreException>(() => writer.CommitAsync());
        Assert.Equal(CoreErrorKind.DataCorrupted, error.Kind);
        Assert.Contains("digest mismatch", error.Message, StringComparison.Ordinal);
        Assert.Contains(claimed.ToString(), error.Message, StringComparison.Ordinal);
        Assert.False(_store.Exists(claimed));
        Assert.False(_store.Exists(Digest.FromBytes(data)));
        Assert.Empty(_store.ListIngests());
        Assert.Empty(_store.Walk());
    }

    [Fact]
    public async Task Size_mismatch_is_refused()
    {
        var data = Data("short");
        await using var writer = await _store.OpenWriterAsync("ref-size", data.Length + 3);
        await writer.WriteAsync(data);
        var error = await Assert.ThrowsAsync<CoreException>(() => writer.CommitAsync());
        Assert.Contains("size mismatch", error.Message, StringComparison.Ordinal);
        Assert.Empty(_store.Walk());
    }

    [Fact]
    public async Task Writing_past_the_expected_size_fails_at_once()
    {
        await using var writer = await _store.OpenWriterAsync("ref-over", 2);
        var error = await Assert.ThrowsAsync<CoreException>(() => writer.WriteAsync(Data("three")));
        Assert.Equal(CoreErrorKind.DataCorrupted, error.Kind);
        Assert.Empty(_store.ListIngests());
    }

    [Fact]
    public async Task An_interrupted_ingest_resumes_at_its_offset_and_is_verified_in_full()
    {
        var data = Data("0123456789abcdefghij");
        var digest = Digest.FromBytes(data);
        await using (var first = await _store.OpenWriterAsync("resumable", data.Length, digest))
        {
            await first.WriteAsync(data.AsMemory(0, 8));
        }
        var status = Assert.Single(_store.ListIngests());
        Assert.Equal("resumable", status.Reference);
        Assert.Equal(8, status.Offset);
        Assert.Equal(data.Length, status.Total);
        Assert.Equal(digest, status.Expected);

        await using (var second = await _store.OpenWriterAsync("resumable", data.Length, digest))
        {
            Assert.Equal(8, second.Offset);
            await second.WriteAsync(data.AsMemory(8));
            Assert.Equal(digest, await second.CommitAsync());
        }
        Assert.Equal(data, _store.ReadAllBytes(digest));
    }

    [Fact]
    public async Task A_resumed_ingest_with_corrupted_partial_data_fails_verification()
    {
        var data = Data("0123456789");
        var digest = Digest.FromBytes(data);
        await using (var first = await _store.OpenWriterAsync("corrupt", data.Length, digest))
        {
            await first.WriteAsync(data.AsMemory(0, 5));
        }
        var partial = Directory.GetFiles(_dir.Combine("content", "ingest"), "data", SearchOption.AllDirectories).Single();
        File.WriteAllBytes(partial, Data("XXXXX"));
        await using var second = await _store.OpenWriterAsync("corrupt", data.Length, digest);
        await second.WriteAsync(data.AsMemory(5));
        var error = await Assert.ThrowsAsync<CoreException>(() => second.CommitAsync());
        Assert.Equal(CoreErrorKind.DataCorrupted, error.Kind);
        Assert.False(_store.Exists(digest));
    }

    [Fact]
    public async Task Opening_a_writer_for_an_existing_blob_reports_already_exists()
    {
        var data = Data("present");
        var digest = Digest.FromBytes(data);
        using (var source = new MemoryStream(data))
        {
            await _store.WriteBlobAsync("w", source, data.Length, digest);
        }
        var error = await Assert.ThrowsAsync<CoreException>(() => _store.OpenWriterAsync("w2", data.Length, digest));
        Assert.Equal(CoreErrorKind.AlreadyExists, error.Kind);
    }

    [Fact]
    public async Task Concurrent_writers_of_the_same_blob_under_different_refs_commit_exactly_once()
    {
        var data = Encoding.UTF8.GetBytes(new string('z', 300_000));
        var digest = Digest.FromBytes(data);
        var writers = new List<IContentWriter>();
        for (var i = 0; i < 4; i++)
        {
            writers.Add(await _store.OpenWriterAsync($"same-{i}", data.Length));
        }
        await Task.WhenAll(writers.Select(w => w.WriteAsync(data)));
        var outcomes = await Task.WhenAll(writers.Select(async w =>
        {
            try
            {
                await w.CommitAsync(data.Length, digest);
                return "committed";
            }
            catch (CoreException e) when (e.Kind == CoreErrorKind.AlreadyExists)
            {
                return "exists";
            }
            finally
            {
                await w.DisposeAsync();
            }
        }));
        Assert.Equal(1, outcomes.Count(o => o == "committed"));
        Assert.Equal(3, outcomes.Count(o => o == "exists"));
        Assert.Equal(data, _store.ReadAllBytes(digest));
        Assert.Empty(_store.ListIngests());
    }

    [Fact]
    public async Task A_second_writer_of_the_same_ref_waits_for_the_first()
    {
        var first = await _store.OpenWriterAsync("locked");
        var second = _store.OpenWriterAsync("locked");
        Assert.False(second.IsCompleted);
        await first.WriteAsync(Data("abc"));
        await first.DisposeAsync();
        await using var resumed = await second;
        Assert.Equal(3, resumed.Offset);
    }

    [Fact]
    public async Task Labels_are_set_and_removed_and_deleted_with_the_blob()
    {
        var descriptor = await _store.WriteBlobAsync("text/plain", Data("labelled"), new Dictionary<string, string> { ["a"] = "1" });
        Assert.Equal("1", _store.Info(descriptor.Digest).Labels["a"]);
        var labels = _store.UpdateLabels(descriptor.Digest, new Dictionary<string, string?> { ["a"] = null, [ContentLabels.GcRoot] = "x" });
        Assert.False(labels.ContainsKey("a"));
        Assert.Equal("x", _store.Info(descriptor.Digest).Labels[ContentLabels.GcRoot]);
        _store.Delete(descriptor.Digest);
        Assert.False(_store.Exists(descriptor.Digest));
        Assert.Equal(CoreErrorKind.NotFound, Assert.Throws<CoreException>(() => _store.Info(descriptor.Digest)).Kind);
        Assert.Equal(CoreErrorKind.NotFound, Assert.Throws<CoreException>(() => _store.Delete(descriptor.Digest)).Kind);
    }

    [Fact]
    public async Task Abort_removes_the_partial_ingest()
    {
        await using (var writer = await _store.OpenWriterAsync("to-abort"))
        {
            await writer.WriteAsync(Data("partial"));
        }
        Assert.Single(_store.ListIngests());
        _store.Abort("to-abort");
        Assert.Empty(_store.ListIngests());
        Assert.Equal(CoreErrorKind.NotFound, Assert.Throws<CoreException>(() => _store.Abort("to-abort")).Kind);
    }

    [Fact]
    public void Digest_parsing_rejects_bad_values()
    {
        Assert.Throws<FormatException>(() => Digest.Parse("sha256:XYZ"));
        Assert.Throws<FormatException>(() => Digest.Parse("md5:" + new string('a', 64)));
        Assert.Throws<FormatException>(() => Digest.Parse(new string('a', 64)));
        Assert.Equal("sha256:" + new string('a', 64), Digest.Parse("sha256:" + new string('a', 64)).ToString());
    }
}
