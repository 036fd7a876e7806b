namespace PSContainer;

/// <summary>The engine a session talks to: versions, where it keeps data, and what it holds.</summary>
public sealed class ContainerEngineInfo
{
    public string Endpoint { get; init; } = "";
    public string Name { get; init; } = "";
    public string Version { get; init; } = "";
    public string ApiVersion { get; init; } = "";
    public string MinApiVersion { get; init; } = "";
    /// <summary>The API version this session uses (the lower of the engine's and the module's).</summary>
    public string NegotiatedApiVersion { get; init; } = "";
    public string Os { get; init; } = "";
    public string Architecture { get; init; } = "";
    public string KernelVersion { get; init; } = "";
    public string OperatingSystem { get; init; } = "";
    public string StorageDriver { get; init; } = "";
    public string RootDirectory { get; init; } = "";
    public string CgroupDriver { get; init; } = "";
    public string CgroupVersion { get; init; } = "";
    public string DefaultRuntime { get; init; } = "";
    public IReadOnlyList<string> Runtimes { get; init; } = [];
    public int Cpus { get; init; }
    public long MemoryTotal { get; init; }
    public int Containers { get; init; }
    public int ContainersRunning { get; init; }
    public int ContainersPaused { get; init; }
    public int ContainersStopped { get; init; }
    public int Images { get; init; }
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public override string ToString() => $"{Name} {Version} (API {NegotiatedApiVersion}) at {Endpoint}";
}
