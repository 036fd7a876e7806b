using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace PSContainer.Module.Client;

/// <summary>
/// Reads a stream of JSON documents, one per line (pull/push/load progress, events, stats), as
/// they arrive. Blank lines are skipped; a line that is not valid JSON is an error naming the line.
/// </summary>
public static class JsonLinesReader
{
    public static async IAsyncEnumerable<T> ReadAsync<T>(
        Stream stream, JsonTypeInfo<T> typeInfo, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(typeInfo);
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 4096, leaveOpen: true);
        while (true)
        {
            var line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line is null)
            {
                yield break;
            }
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            T? item;
            try
            {
                item = JsonSerializer.Deserialize(line, typeInfo);
            }
            catch (JsonException e)
            {
                var shown = line.Length > 200 ? line[..200] + "…" : line;
                throw new EngineException(EngineErrorKind.EngineError, $"The engine sent a line that is not valid JSON: {shown}", null, e);
            }
            if (item is not null)
            {
                yield return item;
            }
        }
    }
}
