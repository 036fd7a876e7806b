using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using PSContainer.Engine.Core.Errdefs;

namespace PSContainer.Engine.Core.Metadata;

/// <summary>
/// A <see cref="RecordStore{T}"/> whose records are also held in memory, for collections read on
/// hot paths (images and references on every container create). Valid because this process is
/// the only writer of its data root. The cache holds serialised bytes, so a caller that changes
/// a returned record cannot change the cache behind the store's back.
/// </summary>
public sealed class CachedRecordStore<T> : IRecordStore<T> where T : class
{
    private readonly RecordStore<T> _inner;
    private readonly JsonTypeInfo<T> _typeInfo;
    private readonly Dictionary<string, byte[]> _cache = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public CachedRecordStore(RecordStore<T> inner, JsonTypeInfo<T> typeInfo)
    {
        _inner = inner;
        _typeInfo = typeInfo;
        foreach (var (key, record) in inner.List())
        {
            _cache[key] = JsonSerializer.SerializeToUtf8Bytes(record, typeInfo);
        }
    }

    public T? Get(string key)
    {
        lock (_lock)
        {
            return _cache.TryGetValue(key, out var bytes) ? JsonSerializer.Deserialize(bytes, _typeInfo) : null;
        }
    }

    public IReadOnlyList<KeyValuePair<string, T>> List()
    {
        lock (_lock)
        {
            return [.. _cache.OrderBy(e => e.Key, StringComparer.Ordinal)
                .Select(e => new KeyValuePair<string, T>(e.Key, JsonSerializer.Deserialize(e.Value, _typeInfo)!))];
        }
    }

    public void Put(string key, T record)
    {
        lock (_lock)
        {
            _inner.Put(key, record);
            _cache[key] = JsonSerializer.SerializeToUtf8Bytes(record, _typeInfo);
        }
    }

    public void Create(string key, T record)
    {
        lock (_lock)
        {
            if (_cache.ContainsKey(key))
            {
                throw CoreException.AlreadyExists($"{Path.GetFileName(_inner.Directory)} record \"{key}\": already exists");
            }
            _inner.Create(key, record);
            _cache[key] = JsonSerializer.SerializeToUtf8Bytes(record, _typeInfo);
        }
    }

    public T Update(string key, Func<T, T> change)
    {
        lock (_lock)
        {
            var updated = _inner.Update(key, change);
            _cache[key] = JsonSerializer.SerializeToUtf8Bytes(updated, _typeInfo);
            return updated;
        }
    }

    public bool Delete(string key)
    {
        lock (_lock)
        {
            _cache.Remove(key);
            return _inner.Delete(key);
        }
    }
}
