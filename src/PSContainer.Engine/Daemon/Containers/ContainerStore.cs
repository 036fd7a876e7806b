using System.Collections.Concurrent;
using PSContainer.Engine.Core.Metadata;
using PSContainer.Engine.Errors;

namespace PSContainer.Engine.Daemon.Containers;

/// <summary>
/// Every container the engine knows, by id and by name, persisted through the metadata store.
/// Lookups follow Docker: a full id, a name (with or without "/"), or an unambiguous id prefix.
/// </summary>
public sealed class ContainerStore(IRecordStore<ContainerRecord> records, string stateRoot, string bundleRoot)
{
    private readonly ConcurrentDictionary<string, Container> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _idByName = new(StringComparer.Ordinal);
    private readonly Lock _namesLock = new();

    /// <summary>Loads the records persisted by an earlier run.</summary>
    public IReadOnlyList<Container> LoadAll()
    {
        foreach (var (_, record) in records.List())
        {
            var container = Wrap(record);
            _byId[record.Id] = container;
            lock (_namesLock)
            {
                _idByName[record.Name] = record.Id;
            }
        }
        return [.. _byId.Values];
    }

    public Container Wrap(ContainerRecord record) =>
        new(record, Path.Combine(stateRoot, record.Id), Path.Combine(bundleRoot, record.Id));

    public IReadOnlyList<Container> All() => [.. _byId.Values.OrderByDescending(c => c.Record.Created)];

    public int Count => _byId.Count;

    /// <summary>Reserves <paramref name="name"/> for <paramref name="id"/>; Conflict when another container has it.</summary>
    public void ReserveName(string name, string id)
    {
        lock (_namesLock)
        {
            if (_idByName.TryGetValue(name, out var owner) && owner != id)
            {
                throw EngineException.Conflict(
                    $"Conflict. The container name \"/{name}\" is already in use by container \"{owner}\". You have to remove (or rename) that container to be able to reuse that name.");
            }
            _idByName[name] = id;
        }
    }

    public void ReleaseName(string name, string id)
    {
        lock (_namesLock)
        {
            if (_idByName.TryGetValue(name, out var owner) && owner == id)
            {
                _idByName.Remove(name);
            }
        }
    }

    public bool NameTaken(string name)
    {
        lock (_namesLock)
        {
            return _idByName.ContainsKey(name);
        }
    }

    /// <summary>Persists and indexes a new container (its name is already reserved).</summary>
    public void Add(Container container)
    {
        records.Create(container.Id, container.Record);
        _byId[container.Id] = container;
    }

    /// <summary>Writes the container's record as it is now (atomically).</summary>
    public void Save(Container container) => records.Put(container.Id, container.Record);

    public void Remove(Container container)
    {
        records.Delete(container.Id);
        _byId.TryRemove(container.Id, out _);
        ReleaseName(container.Name, container.Id);
    }

    public Container Get(string idOrName) =>
        TryGet(idOrName, out var container) ? container : throw EngineException.NoSuchContainer(idOrName);

    public bool TryGet(string idOrName, out Container container)
    {
        if (string.IsNullOrEmpty(idOrName))
        {
            container = null!;
            return false;
        }
        if (_byId.TryGetValue(idOrName, out container!))
        {
            return true;
        }
        string? byName;
        lock (_namesLock)
        {
            _idByName.TryGetValue(idOrName.TrimStart('/'), out byName);
        }
        if (byName is not null && _byId.TryGetValue(byName, out container!))
        {
            return true;
        }
        var matches = _byId.Keys.Where(id => id.StartsWith(idOrName, StringComparison.Ordinal)).Take(2).ToList();
        if (matches.Count > 1)
        {
            throw EngineException.InvalidParameter($"Multiple IDs found with provided prefix: {idOrName}");
        }
        if (matches.Count == 1)
        {
            container = _byId[matches[0]];
            return true;
        }
        container = null!;
        return false;
    }

    /// <summary>Renames under the names lock: the new name is reserved before the old one is released.</summary>
    public void Rename(Container container, string newName)
    {
        ReserveName(newName, container.Id);
        var old = container.Record.Name;
        container.Record.Name = newName;
        try
        {
            Save(container);
        }
        catch
        {
            container.Record.Name = old;
            ReleaseName(newName, container.Id);
            throw;
        }
        ReleaseName(old, container.Id);
    }
}
