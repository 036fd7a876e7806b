using System.Formats.Tar;

namespace PSContainer.Module.Core;

/// <summary>
/// Tar streams for Copy-ContainerItem: a host file or directory packed for PUT /archive, and an
/// archive from GET /archive unpacked to a host path (TarFile refuses entries that would land
/// outside the destination).
/// </summary>
public static class ArchiveTransfer
{
    /// <summary>Packs a file or a directory (with its own name as the top entry, as docker cp does) into a tar stream.</summary>
    public static async Task PackAsync(string hostPath, string entryName, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hostPath);
        ArgumentNullException.ThrowIfNull(entryName);
        ArgumentNullException.ThrowIfNull(output);
        if (entryName.Length == 0 || entryName.Contains('/', StringComparison.Ordinal) || entryName is "." or "..")
        {
            throw new ArgumentException($"'{entryName}' is not a valid file name for the copy.");
        }
        await using var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        if (File.Exists(hostPath))
        {
            await writer.WriteEntryAsync(hostPath, entryName, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (!Directory.Exists(hostPath))
        {
            throw new FileNotFoundException($"'{hostPath}' does not exist on this machine.", hostPath);
        }
        await writer.WriteEntryAsync(hostPath, entryName, cancellationToken).ConfigureAwait(false);
        foreach (var path in Directory.EnumerateFileSystemEntries(hostPath, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(hostPath, path).Replace(Path.DirectorySeparatorChar, '/');
            await writer.WriteEntryAsync(path, entryName + "/" + relative, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Unpacks an archive whose single top entry is the copied item. Into an existing directory
    /// it lands under its own name (merging into a directory of that name, as docker cp does);
    /// otherwise it gets the destination's name (docker cp c:/a ./b). Returns the copied item's path.
    /// </summary>
    public static async Task<string> UnpackAsync(Stream archive, string destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(archive);
        ArgumentNullException.ThrowIfNull(destination);
        var full = Path.GetFullPath(destination);
        var intoDirectory = Directory.Exists(full);
        var parent = intoDirectory ? full : Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{destination}' has no parent directory.");
        if (!Directory.Exists(parent))
        {
            throw new DirectoryNotFoundException($"The directory '{parent}' for the copy does not exist.");
        }
        // Extracted beside the target first, so a failed or refused archive leaves nothing half-copied.
        var staging = Path.Combine(parent, ".psc-copy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        try
        {
            await TarFile.ExtractToDirectoryAsync(archive, staging, overwriteFiles: true, cancellationToken).ConfigureAwait(false);
            var top = Directory.EnumerateFileSystemEntries(staging).ToList();
            if (top.Count != 1)
            {
                throw new InvalidDataException($"The container sent {top.Count} top-level entries; expected exactly one.");
            }
            var target = intoDirectory ? Path.Combine(full, Path.GetFileName(top[0])) : full;
            MoveInto(top[0], target);
            return target;
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>Moves a file over <paramref name="target"/>, or a directory into it (merging with one that exists).</summary>
    private static void MoveInto(string source, string target)
    {
        if (!Directory.Exists(source))
        {
            File.Move(source, target, overwrite: true);
            return;
        }
        if (!Directory.Exists(target))
        {
            Directory.Move(source, target);
            return;
        }
        foreach (var entry in Directory.EnumerateFileSystemEntries(source))
        {
            MoveInto(entry, Path.Combine(target, Path.GetFileName(entry)));
        }
    }
}
