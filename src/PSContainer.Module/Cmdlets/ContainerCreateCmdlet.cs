using System.Management.Automation;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>The parameters of docker create, shared by New-Container and Start-Container -Image.</summary>
public abstract class ContainerCreateCmdlet : PSContainerCmdlet
{
    protected const string CreateSet = "Create";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = CreateSet)]
    [ArgumentCompleter(typeof(ImageReferenceCompleter))]
    [ValidateNotNullOrEmpty]
    public string Image { get; set; } = "";

    /// <summary>The command and its arguments (after the image, or after --).</summary>
    [Parameter(Position = 1, ValueFromRemainingArguments = true, ParameterSetName = CreateSet)]
    public string[] Command { get; set; } = [];

    [Parameter(ParameterSetName = CreateSet)]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter(ParameterSetName = CreateSet)]
    public string[]? Entrypoint { get; set; }

    /// <summary>A hashtable (@{A = '1'}) or 'A=1' strings.</summary>
    [Parameter(ParameterSetName = CreateSet)]
    [Alias("Env")]
    public object[] Environment { get; set; } = [];

    /// <summary>'8080:80', '127.0.0.1:8080:80/udp', '8000-8002:80-82', 80, or @{8080 = 80}.</summary>
    [Parameter(ParameterSetName = CreateSet)]
    [Alias("Publish")]
    public object[] Port { get; set; } = [];

    /// <summary>'name:/data', 'name:/data:ro', '/host/dir:/data', or '/data' for an anonymous volume.</summary>
    [Parameter(ParameterSetName = CreateSet)]
    [ArgumentCompleter(typeof(VolumeNameCompleter))]
    public string[] Volume { get; set; } = [];

    /// <summary>'type=volume,source=data,target=/data' or @{Type = 'tmpfs'; Target = '/tmp'; Size = 64MB}.</summary>
    [Parameter(ParameterSetName = CreateSet)]
    public object[] Mount { get; set; } = [];

    /// <summary>Labels: a hashtable or 'key=value' strings.</summary>
    [Parameter(ParameterSetName = CreateSet)]
    public object[] Label { get; set; } = [];

    /// <summary>Memory limit in bytes (256MB).</summary>
    [Parameter(ParameterSetName = CreateSet)]
    [ValidateRange(0, long.MaxValue)]
    public long Memory { get; set; }

    /// <summary>CPUs (1.5).</summary>
    [Parameter(ParameterSetName = CreateSet)]
    [ValidateRange(0.0, 1024.0)]
    public double Cpu { get; set; }

    /// <summary>no, always, unless-stopped, on-failure or on-failure:N.</summary>
    [Parameter(ParameterSetName = CreateSet)]
    [ValidateNotNullOrEmpty]
    public string? Restart { get; set; }

    [Parameter(ParameterSetName = CreateSet)]
    [Alias("WorkDir")]
    [ValidateNotNullOrEmpty]
    public string? WorkingDirectory { get; set; }

    [Parameter(ParameterSetName = CreateSet)]
    [ValidateNotNullOrEmpty]
    public string? User { get; set; }

    [Parameter(ParameterSetName = CreateSet)]
    [ValidateNotNullOrEmpty]
    public string? HostName { get; set; }

    [Parameter(ParameterSetName = CreateSet)]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Network { get; set; }

    /// <summary>Allocate a pseudo-terminal.</summary>
    [Parameter(ParameterSetName = CreateSet)]
    public SwitchParameter Tty { get; set; }

    [Parameter(ParameterSetName = CreateSet)]
    public SwitchParameter Privileged { get; set; }

    [Parameter(ParameterSetName = CreateSet)]
    public SwitchParameter ReadOnlyRootFileSystem { get; set; }

    [Parameter(ParameterSetName = CreateSet)]
    public string[] CapabilityAdd { get; set; } = [];

    [Parameter(ParameterSetName = CreateSet)]
    public string[] CapabilityDrop { get; set; } = [];

    [Parameter(ParameterSetName = CreateSet)]
    [ValidateNotNullOrEmpty]
    public string? StopSignal { get; set; }

    [Parameter(ParameterSetName = CreateSet)]
    [ValidateRange(0, int.MaxValue)]
    public int? StopTimeout { get; set; }

    /// <summary>Run an init process as PID 1 that reaps zombies and forwards signals.</summary>
    [Parameter(ParameterSetName = CreateSet)]
    public SwitchParameter Init { get; set; }

    [Parameter(ParameterSetName = CreateSet)]
    [ValidateRange(-1, long.MaxValue)]
    public long? PidsLimit { get; set; }

    [Parameter(ParameterSetName = CreateSet)]
    public string[] Dns { get; set; } = [];

    /// <summary>'host:ip' entries for /etc/hosts.</summary>
    [Parameter(ParameterSetName = CreateSet)]
    public string[] AddHost { get; set; } = [];

    protected ContainerCreateOptions BuildOptions(bool interactive = false, bool autoRemove = false) => new()
    {
        Image = Image,
        Name = Name,
        Command = Command,
        Entrypoint = Entrypoint,
        Environment = Unwrap(Environment),
        Ports = Unwrap(Port),
        Volumes = Volume,
        Mounts = Unwrap(Mount).OfType<object>().ToList(),
        Labels = Unwrap(Label),
        Memory = Memory,
        Cpu = Cpu,
        Restart = Restart,
        WorkingDirectory = WorkingDirectory,
        User = User,
        Hostname = HostName,
        Network = Network,
        Tty = Tty,
        Interactive = interactive,
        AutoRemove = autoRemove,
        Privileged = Privileged,
        ReadOnlyRootFilesystem = ReadOnlyRootFileSystem,
        CapAdd = CapabilityAdd,
        CapDrop = CapabilityDrop,
        StopSignal = StopSignal,
        StopTimeout = StopTimeout,
        Init = Init,
        PidsLimit = PidsLimit,
        Dns = Dns,
        AddHost = AddHost,
    };
}
