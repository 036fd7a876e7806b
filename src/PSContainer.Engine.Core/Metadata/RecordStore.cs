using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using PSContainer.Engine.Core.Errdefs;

namespace PSContainer.Engine.Core.Metadata;

/// <summary>
/// Records as one JSON file each (<c>&lt;dir&gt;/&lt;escaped key&gt;.json</c>), written with
/// <see cref="AtomicFile"/>. A lock serialises writers in this process; readers never see a torn
/// file because a record is only ever replaced by rename.
/// </summary>
public sealed class RecordStore<T> : IRecordStore<T> where T : class
{
    private const int MaxKeyLength = 200;
    private readonly JsonTypeInfo<T> _typeInfo;
    private readonly Lock _lock = new();

    public RecordStore(string directory, JsonTypeInfo<T> typeInfo)
    {
        Directory = Path.GetFullPath(directory);
        _typeInfo = typeInfo;
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public T? Get(string key)
    {
        var path = PathOf(key);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize(bytes, _typeInfo)
                ?? throw CoreException.DataCorrupted($"metadata record {path}: null");
        }
        catch (JsonException e)
        {
            throw new CoreException(CoreErrorKind.DataCorrupted, $"metadata record {path}: {e.Message}", e);
        }
    }

    public IReadOnlyList<KeyValuePair<string, T>> List()
    {
        var result = new List<KeyValuePair<string, T>>();
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*.json"))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (name.StartsWith(".tmp-", StringComparison.Ordinal))
            {
                continue;
            }
            var key = Unescape(name);
            var record = Get(key);
            if (record is not null)
            {
                result.Add(new(key, record));
            }
        }
        result.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return result;
    }

    public void Put(string key, T record)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(record, _typeInfo);
        lock (_lock)
        {
            AtomicFile.WriteAllBytes(PathOf(key), bytes);
        }
    }

    public void Create(string key, T record)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(record, _typeInfo);
        lock (_lock)
        {
            var path = PathOf(key);
            if (File.Exists(path))
            {
                throw CoreException.AlreadyExists($"{Path.GetFileName(Directory)} record \"{key}\": already exists");
            }
            AtomicFile.WriteAllBytes(path, bytes);
        }
    }

    public T Update(string key, Func<T, T> change)
    {
        lock (_lock)
        {
            var current = Get(key) ?? throw CoreException.NotFound($"{Path.GetFileName(Directory)} record \"{key}\": not found");
            var updated = change(current);
            AtomicFile.WriteAllBytes(PathOf(key), JsonSerializer.SerializeToUtf8Bytes(updated, _typeInfo));
            return updated;
        }
    }

    public bool Delete(string key)
    {
        lock (_lock)
        {
            var path = PathOf(key);
            if (!File.Exists(path))
            {
                return false;
            }
            File.Delete(path);
            AtomicFile.FsyncDirectory(Directory);
            return true;
        }
    }

    private string PathOf(string key) => Path.Combine(Directory, Escape(key) + ".json");

    /// <summary>
    /// Keys become file names: [A-Za-z0-9_-] stay, every other byte of the UTF-8 form becomes
    /// "%XX" (so "." and "/" cannot form "..", hidden or nested names, and the mapping reverses).
    /// </summary>
    internal static string Escape(string key)
    {
        if (string.IsNullOrEmpty(key) || key.Length > MaxKeyLength)
        {
            throw CoreException.InvalidArgument($"metadata key \"{key}\": must be 1 to {MaxKeyLength} characters");
        }
        var builder = new StringBuilder(key.Length);
        foreach (var b in Encoding.UTF8.GetBytes(key))
        {
            if (b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' or (byte)'_' or (byte)'-')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return builder.ToString();
    }

    internal static string Unescape(string name)
    {
        var bytes = new List<byte>(name.Length);
        for (var i = 0; i < name.Length; i++)
        {
            if (name[i] == '%' && i + 2 < name.Length)
            {
                bytes.Add(Convert.ToByte(name.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.Add((byte)name[i]);
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
