namespace PSContainer.Module.Core;

/// <summary>
/// What New-Container and Start-Container -Image were asked for, in the friendly forms the
/// parameters take (hashtables, 'A=1' strings, '8080:80', PowerShell sizes). Plain data: the
/// cmdlets fill it, <see cref="ContainerCreateRequestBuilder"/> turns it into the API request.
/// </summary>
public sealed class ContainerCreateOptions
{
    public string Image { get; set; } = "";
    public string? Name { get; set; }
    public IReadOnlyList<string>? Command { get; set; }
    public IReadOnlyList<string>? Entrypoint { get; set; }
    public IReadOnlyList<object?> Environment { get; set; } = [];
    public IReadOnlyList<object?> Ports { get; set; } = [];
    public IReadOnlyList<string> Volumes { get; set; } = [];
    public IReadOnlyList<object> Mounts { get; set; } = [];
    public IReadOnlyList<object?> Labels { get; set; } = [];
    /// <summary>Bytes; 0 = no limit.</summary>
    public long Memory { get; set; }
    /// <summary>CPUs (1.5 = one and a half); 0 = no limit.</summary>
    public double Cpu { get; set; }
    public string? Restart { get; set; }
    public string? WorkingDirectory { get; set; }
    public string? User { get; set; }
    public string? Hostname { get; set; }
    public string? Network { get; set; }
    public bool Tty { get; set; }
    /// <summary>Keep stdin open (docker -i).</summary>
    public bool Interactive { get; set; }
    public bool AutoRemove { get; set; }
    public bool Privileged { get; set; }
    public bool ReadOnlyRootFilesystem { get; set; }
    public IReadOnlyList<string> CapAdd { get; set; } = [];
    public IReadOnlyList<string> CapDrop { get; set; } = [];
    public string? StopSignal { get; set; }
    public int? StopTimeout { get; set; }
    public bool Init { get; set; }
    public long? PidsLimit { get; set; }
    public IReadOnlyList<string> Dns { get; set; } = [];
    public IReadOnlyList<string> AddHost { get; set; } = [];
}
