using System.Text.Json.Serialization;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.Engine.Core.Metadata;
using Xunit;

namespace PSContainer.Engine.Core.Tests.Metadata;

public sealed class TestRecord
{
    public string Name { get; set; } = "";
    public int Count { get; set; }
}

[JsonSerializable(typeof(TestRecord))]
internal sealed partial class TestRecordJsonContext : JsonSerializerContext
{
}

public sealed class RecordStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly IRecordStore<TestRecord> _records;

    public RecordStoreTests()
    {
        _records = new MetadataStore(_dir.Combine("metadata")).Collection("things", TestRecordJsonContext.Default.TestRecord);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Put_get_list_delete_round_trip()
    {
        Assert.Null(_records.Get("a"));
        _records.Put("b", new TestRecord { Name = "bee", Count = 2 });
        _records.Put("a", new TestRecord { Name = "ay", Count = 1 });
        Assert.Equal("ay", _records.Get("a")!.Name);
        Assert.Equal(["a", "b"], _records.List().Select(r => r.Key));
        _records.Put("a", new TestRecord { Name = "ay2" });
        Assert.Equal("ay2", _records.Get("a")!.Name);
        Assert.True(_records.Delete("a"));
        Assert.False(_records.Delete("a"));
        Assert.Equal(["b"], _records.List().Select(r => r.Key));
    }

    [Theory]
    [InlineData("sha256:abc")]
    [InlineData("../../etc/passwd")]
    [InlineData("docker.io/library/busybox:latest")]
    [InlineData(".hidden")]
    [InlineData("ünïcode key")]
    public void Any_key_maps_to_one_file_inside_the_collection(string key)
    {
        _records.Put(key, new TestRecord { Name = key });
        Assert.Equal(key, _records.Get(key)!.Name);
        Assert.Equal(key, Assert.Single(_records.List()).Key);
        var files = Directory.GetFiles(_dir.Combine("metadata", "things"), "*", SearchOption.AllDirectories);
        var file = Assert.Single(files);
        Assert.Equal(_dir.Combine("metadata", "things"), Path.GetDirectoryName(file));
        Assert.DoesNotContain("..", Path.GetFileName(file), StringComparison.Ordinal);
    }

    [Fact]
    public void Create_refuses_an_existing_key_and_update_needs_one()
    {
        _records.Create("k", new TestRecord { Count = 1 });
        Assert.Equal(CoreErrorKind.AlreadyExists, Assert.Throws<CoreException>(() => _records.Create("k", new TestRecord())).Kind);
        var updated = _records.Update("k", r => new TestRecord { Name = r.Name, Count = r.Count + 1 });
        Assert.Equal(2, updated.Count);
        Assert.Equal(2, _records.Get("k")!.Count);
        Assert.Equal(CoreErrorKind.NotFound, Assert.Throws<CoreException>(() => _records.Update("missing", r => r)).Kind);
    }

    [Fact]
    public void Bad_keys_are_rejected()
    {
        Assert.Equal(CoreErrorKind.InvalidArgument, Assert.Throws<CoreException>(() => _records.Put("", new TestRecord())).Kind);
        Assert.Equal(CoreErrorKind.InvalidArgument, Assert.Throws<CoreException>(() => _records.Put(new string('x', 201), new TestRecord())).Kind);
    }

    [Fact]
    public void A_leftover_temp_file_from_a_crash_is_ignored_and_the_old_record_stays()
    {
        _records.Put("k", new TestRecord { Name = "old" });
        // What a crash between "write temp" and "rename" leaves behind.
        File.WriteAllText(_dir.Combine("metadata", "things", ".tmp-k.json-deadbeef"), "{\"Name\":\"half");
        Assert.Equal("old", _records.Get("k")!.Name);
        Assert.Equal(["k"], _records.List().Select(r => r.Key));
        Assert.Empty(Directory.GetFiles(_dir.Combine("metadata", "things"), ".tmp-*.json"));
    }

    [Fact]
    public void A_corrupt_record_is_reported_with_its_path()
    {
        File.WriteAllText(_dir.Combine("metadata", "things", "bad.json"), "{not json");
        var error = Assert.Throws<CoreException>(() => _records.Get("bad"));
        Assert.Equal(CoreErrorKind.DataCorrupted, error.Kind);
        Assert.Contains("bad.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Schema_version_is_written_and_a_newer_one_is_refused()
    {
        Assert.Equal("1", File.ReadAllText(_dir.Combine("metadata", "version")).Trim());
        File.WriteAllText(_dir.Combine("metadata", "version"), "99\n");
        var error = Assert.Throws<CoreException>(() => new MetadataStore(_dir.Combine("metadata")));
        Assert.Equal(CoreErrorKind.FailedPrecondition, error.Kind);
        Assert.Contains("99", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cached_collection_writes_through_and_hands_out_copies()
    {
        _records.Put("before", new TestRecord { Name = "on disk already" });
        var cached = new MetadataStore(_dir.Combine("metadata")).Collection("things", TestRecordJsonContext.Default.TestRecord, cacheInMemory: true);
        Assert.Equal("on disk already", cached.Get("before")!.Name);
        cached.Put("k", new TestRecord { Name = "cached", Count = 1 });
        cached.Get("k")!.Count = 99; // changing a returned record must not change the store
        Assert.Equal(1, cached.Get("k")!.Count);
        Assert.Equal("cached", _records.Get("k")!.Name); // written through to disk
        Assert.True(cached.Delete("before"));
        Assert.Null(_records.Get("before"));
        Assert.Equal(["k"], cached.List().Select(r => r.Key));
        Assert.Equal(CoreErrorKind.AlreadyExists, Assert.Throws<CoreException>(() => cached.Create("k", new TestRecord())).Kind);
    }

    [Fact]
    public void Concurrent_updates_are_not_lost()
    {
        _records.Put("counter", new TestRecord());
        Parallel.For(0, 50, _ => _records.Update("counter", r => new TestRecord { Count = r.Count + 1 }));
        Assert.Equal(50, _records.Get("counter")!.Count);
    }
}
