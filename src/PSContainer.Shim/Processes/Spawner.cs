using PSContainer.ShimApi;

namespace PSContainer.Shim.Processes;

/// <summary>What a spawned process gets: its argv, its fds 0, 1, 2 and any extra fds to pass on.</summary>
internal sealed record SpawnRequest(string Path, IReadOnlyList<string> Args, int Stdin, int Stdout, int Stderr)
{
    /// <summary>(source fd in the shim, fd number in the child); the source stays open in the shim.</summary>
    public IReadOnlyList<(int Source, int Target)> ExtraFds { get; init; } = [];

    /// <summary>Start the child in a new session (and so a new process group).</summary>
    public bool NewSession { get; init; }
}

/// <summary>The shim's children (runtime and container processes), spawned by <see cref="PosixSpawner"/>.</summary>
internal static class Spawner
{
    public static int Spawn(SpawnRequest request, Reaper? reaper)
    {
        var pid = PosixSpawner.Spawn(request.Path, request.Args, null, request.Stdin, request.Stdout, request.Stderr,
            request.ExtraFds, request.NewSession);
        reaper?.ChildSpawned();
        return pid;
    }
}
