using System.Text.Json.Serialization.Metadata;

namespace PSContainer.Engine.Core.Metadata;

/// <summary>
/// A collection of JSON records keyed by string (containers, images, snapshots, volumes,
/// networks). Every Put is atomic and durable: temp file, fsync, rename, directory fsync, so a
/// crash at any point leaves either the old or the new record, never a torn one.
/// Keys are any non-empty string up to 200 characters; they are escaped into file names.
/// </summary>
public interface IRecordStore<T> where T : class
{
    /// <summary>The record, or null when there is none.</summary>
    T? Get(string key);

    /// <summary>All records with their keys, ordered by key.</summary>
    IReadOnlyList<KeyValuePair<string, T>> List();

    /// <summary>Creates or replaces the record.</summary>
    void Put(string key, T record);

    /// <summary>Creates the record; AlreadyExists if the key is taken (checked under the store's lock).</summary>
    void Create(string key, T record);

    /// <summary>Reads, changes and writes a record under the store's lock; NotFound when absent.</summary>
    T Update(string key, Func<T, T> change);

    /// <summary>Removes the record; returns false when there was none.</summary>
    bool Delete(string key);
}

/// <summary>Opens record collections under one metadata root with a schema version check.</summary>
public interface IMetadataStore
{
    /// <summary>The directory holding the collections and the "version" file.</summary>
    string Root { get; }

    /// <summary>
    /// The collection <paramref name="name"/> (a directory under <see cref="Root"/>) of records of
    /// type T. With <paramref name="cacheInMemory"/> reads come from memory (writes still go to
    /// disk first); open each collection once when caching, the cache assumes one writer.
    /// </summary>
    IRecordStore<T> Collection<T>(string name, JsonTypeInfo<T> typeInfo, bool cacheInMemory = false) where T : class;
}
