namespace PSContainer.Module.Core;

/// <summary>Reads docker load's result lines: "Loaded image: busybox:latest" and "Loaded image ID: sha256:...".</summary>
public static class LoadedImages
{
    public static IReadOnlyList<string> Parse(IEnumerable<string> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var result = new List<string>();
        foreach (var message in messages)
        {
            foreach (var prefix in new[] { "Loaded image: ", "Loaded image ID: " })
            {
                if (message.StartsWith(prefix, StringComparison.Ordinal))
                {
                    var reference = message[prefix.Length..].Trim();
                    if (reference.Length > 0 && !result.Contains(reference))
                    {
                        result.Add(reference);
                    }
                }
            }
        }
        return result;
    }
}
