using System.Formats.Tar;

namespace PSContainer.Engine.Core.IntegrationTests;

/// <summary>Copies a tar, letting a test change member contents (to corrupt blobs).</summary>
internal static class ArchiveMutator
{
    public static void Rewrite(string source, string target, Func<string, byte[], byte[]> change)
    {
        using var input = File.OpenRead(source);
        using var output = File.Create(target);
        using var reader = new TarReader(input);
        using var writer = new TarWriter(output, TarEntryFormat.Pax);
        TarEntry? entry;
        while ((entry = reader.GetNextEntry(copyData: true)) is not null)
        {
            if (entry.DataStream is { } data)
            {
                using var memory = new MemoryStream();
                data.CopyTo(memory);
                entry.DataStream = new MemoryStream(change(entry.Name, memory.ToArray()));
            }
            writer.WriteEntry(entry);
        }
    }
}
