using System.Text.Json;
using System.Text.RegularExpressions;
using PSContainer.Interop.Linux;

namespace PSContainer.Runc.Container;

/// <summary>
/// The --root directory: one subdirectory per container holding state.json (written atomically:
/// temp file, fsync, rename) and, until `start`, the exec FIFO.
/// </summary>
public sealed partial class StateStore
{
    public const string DefaultRoot = "/run/psc-runc";
    public const string StateFile = "state.json";
    public const string FifoFile = "exec.fifo";

    public StateStore(string root) => Root = Path.GetFullPath(root);

    public string Root { get; }

    public string DirOf(string id) => Path.Combine(Root, id);

    public string FifoOf(string id) => Path.Combine(Root, id, FifoFile);

    /// <summary>runc's rule: letters, digits, "_", "+", "-", "."; not "." or "..".</summary>
    public static void ValidateId(string id)
    {
        if (id.Length == 0 || id is "." or ".." || !IdPattern().IsMatch(id))
        {
            throw new RuncException($"invalid container id \"{id}\": use letters, digits, \"_\", \"+\", \"-\" and \".\"");
        }
    }

    /// <summary>Makes the container's directory; fails when the id is taken.</summary>
    public string CreateDir(string id)
    {
        ValidateId(id);
        Directory.CreateDirectory(Root);
        var dir = DirOf(id);
        if (Libc.mkdirat(Libc.AT_FDCWD, dir, 0x1C9 /* 0711 */) < 0)
        {
            var e = SyscallException.FromLastError("mkdir", dir);
            throw e.Errno == Errno.EEXIST ? new RuncException($"container with id exists: {id}") : new RuncException(e.Message, e);
        }
        return dir;
    }

    public bool Exists(string id) => File.Exists(Path.Combine(DirOf(id), StateFile));

    public ContainerRecord Load(string id)
    {
        ValidateId(id);
        var path = Path.Combine(DirOf(id), StateFile);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new RuncException($"container \"{id}\" does not exist");
        }
        try
        {
            return RecordJson.Read(bytes);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException or Oci.InvalidSpecException)
        {
            throw new RuncException($"{path}: corrupt state: {e.Message}");
        }
    }

    public void Save(ContainerRecord record) => WriteAtomically(Path.Combine(DirOf(record.Id), StateFile), RecordJson.Write(record));

    public IEnumerable<string> Ids() =>
        Directory.Exists(Root)
            ? Directory.EnumerateDirectories(Root).Select(Path.GetFileName).OfType<string>()
                .Where(id => File.Exists(Path.Combine(Root, id, StateFile))).Order(StringComparer.Ordinal)
            : [];

    /// <summary>Removes the container's directory (the files psc-runc made there, then the directory).</summary>
    public void Remove(string id)
    {
        var dir = DirOf(id);
        if (!Directory.Exists(dir))
        {
            return;
        }
        foreach (var name in new[] { StateFile, FifoFile })
        {
            File.Delete(Path.Combine(dir, name));
        }
        if (Libc.unlinkat(Libc.AT_FDCWD, dir, Libc.AT_REMOVEDIR) < 0 && Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true); // something else was left in it (a temp file of a crashed write)
        }
    }

    /// <summary>
    /// Writes a file so that a reader sees the old content or the new, never a part (temp file +
    /// rename). No fsync: runtime state is volatile by nature (it lives in /run and describes
    /// processes that do not survive a reboot), and an fsync costs milliseconds on every create.
    /// </summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> content)
    {
        var temp = $"{path}.tmp-{Environment.ProcessId}";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(content);
        }
        File.Move(temp, path, overwrite: true);
    }

    [GeneratedRegex(@"^[A-Za-z0-9_+\-\.]+$")]
    private static partial Regex IdPattern();
}
