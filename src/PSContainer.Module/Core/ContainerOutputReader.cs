using System.Runtime.CompilerServices;
using PSContainer.Module.Client;

namespace PSContainer.Module.Core;

/// <summary>Reads container output (logs, attach, exec) as <see cref="ContainerLogLine"/> objects, one per line.</summary>
public static class ContainerOutputReader
{
    public static async IAsyncEnumerable<ContainerLogLine> ReadLinesAsync(
        MultiplexedStreamReader reader, string containerId, string containerName, bool timestamps,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var splitter = new LineSplitter();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) is { } chunk)
        {
            if (chunk.Stream == OutputStream.StdIn)
            {
                continue;
            }
            foreach (var line in splitter.Push(chunk))
            {
                yield return Make(chunk.Stream, line, containerId, containerName, timestamps);
            }
        }
        foreach (var (stream, line) in splitter.Flush())
        {
            yield return Make(stream, line, containerId, containerName, timestamps);
        }
    }

    private static ContainerLogLine Make(OutputStream stream, string line, string id, string name, bool timestamps)
    {
        var (time, text) = LogLineParser.Split(line, timestamps);
        return new ContainerLogLine
        {
            ContainerId = id,
            ContainerName = name,
            Stream = stream == OutputStream.StdErr ? ContainerOutputStream.StdErr : ContainerOutputStream.StdOut,
            Time = time,
            Line = text,
        };
    }
}
