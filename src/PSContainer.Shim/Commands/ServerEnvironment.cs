using PSContainer.ShimApi;

namespace PSContainer.Shim.Commands;

/// <summary>The server side of <see cref="ShimServerKnobs"/>: `start` adds them, the server removes them.</summary>
internal static class ServerEnvironment
{
    public static void PrepareForServer() =>
        ShimServerKnobs.AddMissing(name => Environment.GetEnvironmentVariable(name) is not null, Environment.SetEnvironmentVariable);

    public static void RestoreAfterStartup()
    {
        foreach (var name in (Environment.GetEnvironmentVariable(ShimServerKnobs.AddedList) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            Environment.SetEnvironmentVariable(name, null);
        }
        Environment.SetEnvironmentVariable(ShimServerKnobs.AddedList, null);
    }
}
