using System.Formats.Tar;

namespace PSContainer.Module.Core;

/// <summary>Packs a build context directory into a tar (paths relative to it), skipping what .dockerignore names exactly.</summary>
public static class BuildContext
{
    public static async Task PackAsync(string directory, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(output);
        var ignored = ReadIgnore(directory);
        await using var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        foreach (var path in Directory.EnumerateFileSystemEntries(directory, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(directory, path).Replace(Path.DirectorySeparatorChar, '/');
            if (ignored.Any(pattern => Wildcard.IsMatch(relative, pattern) || relative.StartsWith(pattern.TrimEnd('/') + "/", StringComparison.Ordinal)))
            {
                continue;
            }
            await writer.WriteEntryAsync(path, relative, cancellationToken).ConfigureAwait(false);
        }
    }

    private static List<string> ReadIgnore(string directory)
    {
        var file = Path.Combine(directory, ".dockerignore");
        return File.Exists(file)
            ? File.ReadAllLines(file).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.TrimStart('/')).ToList()
            : [];
    }
}
