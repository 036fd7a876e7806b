using System.Globalization;
using System.Text;
using System.Text.Json.Serialization.Metadata;
using PSContainer.Engine.Core.Errdefs;

namespace PSContainer.Engine.Core.Metadata;

/// <summary>
/// The metadata root (<c>&lt;data-root&gt;/metadata</c>): one directory per collection and a
/// <c>version</c> file holding the schema version. A store written by a newer schema is refused
/// rather than misread; an older one would be migrated here when the schema changes.
/// </summary>
public sealed class MetadataStore : IMetadataStore
{
    /// <summary>The schema version this code reads and writes.</summary>
    public const int SchemaVersion = 1;

    public MetadataStore(string root)
    {
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
        var versionFile = Path.Combine(Root, "version");
        if (File.Exists(versionFile))
        {
            var text = File.ReadAllText(versionFile).Trim();
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                throw CoreException.DataCorrupted($"metadata schema version file {versionFile}: \"{text}\" is not a number");
            }
            if (version > SchemaVersion)
            {
                throw CoreException.FailedPrecondition(
                    $"metadata in {Root} has schema version {version}, newer than this engine's {SchemaVersion}; use a newer psc-engine");
            }
        }
        else
        {
            AtomicFile.WriteAllBytes(versionFile, Encoding.ASCII.GetBytes(SchemaVersion.ToString(CultureInfo.InvariantCulture) + "\n"));
        }
    }

    public string Root { get; }

    public IRecordStore<T> Collection<T>(string name, JsonTypeInfo<T> typeInfo, bool cacheInMemory = false) where T : class
    {
        if (string.IsNullOrEmpty(name) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw CoreException.InvalidArgument($"metadata collection name \"{name}\": use letters, digits, - and _");
        }
        var store = new RecordStore<T>(Path.Combine(Root, name), typeInfo);
        return cacheInMemory ? new CachedRecordStore<T>(store, typeInfo) : store;
    }
}
