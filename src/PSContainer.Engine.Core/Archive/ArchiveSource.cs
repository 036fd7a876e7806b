using System.Formats.Tar;
using PSContainer.Engine.Core.Errdefs;

namespace PSContainer.Engine.Core.Archive;

/// <summary>Files of an image archive, by their path inside it.</summary>
internal interface IArchiveSource
{
    bool Exists(string path);

    Stream Open(string path);
}

/// <summary>An OCI layout directory on disk.</summary>
internal sealed class DirectoryArchiveSource(string root) : IArchiveSource
{
    public bool Exists(string path) => File.Exists(Resolve(path));

    public Stream Open(string path)
    {
        var full = Resolve(path);
        return File.Exists(full)
            ? new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16)
            : throw CoreException.InvalidArgument($"OCI layout {root}: {path} is missing");
    }

    private string Resolve(string path) => Path.Combine(root, string.Join('/', SpooledArchive.CleanName(path)));
}

/// <summary>
/// A tar archive spooled into a private temporary directory so that its members can be read in
/// any order (manifest.json comes last in docker-archives). Only regular files are written;
/// symlinks and hard links (skopeo's docker-archives link layer.tar files) are kept as a map and
/// resolved within the archive, so nothing in the archive can point outside it.
/// </summary>
internal sealed class SpooledArchive : IArchiveSource, IDisposable
{
    private readonly string _directory;
    private readonly Dictionary<string, string> _links = new(StringComparer.Ordinal);
    private readonly HashSet<string> _files = new(StringComparer.Ordinal);

    private SpooledArchive(string directory)
    {
        _directory = directory;
    }

    public static async Task<SpooledArchive> ExtractAsync(Stream tar, string tempRoot, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(tempRoot);
        var directory = Path.Combine(tempRoot, "load-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var archive = new SpooledArchive(directory);
        try
        {
            await using var reader = new TarReader(tar, leaveOpen: true);
            TarEntry? entry;
            while ((entry = await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false)) is not null)
            {
                var name = string.Join('/', CleanName(entry.Name));
                if (name.Length == 0)
                {
                    continue;
                }
                switch (entry.EntryType)
                {
                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                        var path = Path.Combine(directory, name);
                        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                        var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
                        await using (output.ConfigureAwait(false))
                        {
                            if (entry.DataStream is { } data)
                            {
                                await data.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
                            }
                        }
                        archive._files.Add(name);
                        archive._links.Remove(name);
                        break;
                    case TarEntryType.SymbolicLink:
                        archive._links[name] = Combine(Parent(name), entry.LinkName);
                        break;
                    case TarEntryType.HardLink:
                        archive._links[name] = string.Join('/', CleanName(entry.LinkName));
                        break;
                    default:
                        break; // directories appear implicitly; nothing else belongs in an image archive
                }
            }
            return archive;
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
        {
            archive.Dispose();
            throw CoreException.InvalidArgument($"the archive is not a valid tar file: {e.Message}");
        }
        catch
        {
            archive.Dispose();
            throw;
        }
    }

    public bool Exists(string path) => TryResolve(path, out _);

    public Stream Open(string path) =>
        TryResolve(path, out var resolved)
            ? new FileStream(Path.Combine(_directory, resolved), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16)
            : throw CoreException.InvalidArgument($"archive member {path} is missing");

    private bool TryResolve(string path, out string resolved)
    {
        resolved = string.Join('/', CleanName(path));
        for (var hops = 0; hops < 16; hops++)
        {
            if (_files.Contains(resolved))
            {
                return true;
            }
            if (!_links.TryGetValue(resolved, out var next))
            {
                return false;
            }
            resolved = next;
        }
        return false;
    }

    /// <summary>Archive member names: relative, no "." parts; ".." is refused.</summary>
    internal static string[] CleanName(string name)
    {
        var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        return parts.Contains("..")
            ? throw CoreException.InvalidArgument($"archive member \"{name}\": \"..\" is not allowed in an image archive")
            : parts;
    }

    private static string Parent(string name)
    {
        var slash = name.LastIndexOf('/');
        return slash < 0 ? "" : name[..slash];
    }

    /// <summary>Joins a link target to the link's directory, resolving ".." without leaving the archive.</summary>
    private static string Combine(string directory, string target)
    {
        var stack = new List<string>(target.StartsWith('/') ? [] : directory.Split('/', StringSplitOptions.RemoveEmptyEntries));
        foreach (var part in target.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
            {
                continue;
            }
            if (part == "..")
            {
                if (stack.Count == 0)
                {
                    throw CoreException.InvalidArgument($"archive link to \"{target}\" points outside the archive");
                }
                stack.RemoveAt(stack.Count - 1);
                continue;
            }
            stack.Add(part);
        }
        return string.Join('/', stack);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
