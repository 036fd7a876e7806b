using PSContainer.ShimApi;

namespace PSContainer.Shim.Commands;

/// <summary>The server side of <see cref="ShimServerKnobs"/>: `start` adds them, the server removes them.</summary>
internal static class ServerEnvironment
{
    public static void PrepareForServer()
    {
        var added = new List<string>();
        foreach (var (name, value) in ShimServerKnobs.All)
        {
            if (Environment.GetEnvironmentVariable(name) is null)
            {
                Environment.SetEnvironmentVariable(name, value);
                added.Add(name);
            }
        }
        Environment.SetEnvironmentVariable(ShimServerKnobs.AddedList, string.Join(',', added));
    }

    public static void RestoreAfterStartup()
    {
        foreach (var name in (Environment.GetEnvironmentVariable(ShimServerKnobs.AddedList) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            Environment.SetEnvironmentVariable(name, null);
        }
        Environment.SetEnvironmentVariable(ShimServerKnobs.AddedList, null);
    }
}
