namespace PSContainer.Shim.Server;

/// <summary>Everything the server was started with (the `serve` command line).</summary>
internal sealed record ShimConfig(string ContainerId, string Bundle, string RuntimePath, string? RuntimeRoot,
    string? EventsAddress, string SocketPath, long LogMaxSize, int LogMaxFiles)
{
    public string BundleFile(string name) => Path.Combine(Bundle, name);
}
