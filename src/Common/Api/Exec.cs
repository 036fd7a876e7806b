namespace PSContainer.Api;

/// <summary>POST /containers/{id}/exec.</summary>
public sealed class ExecCreateRequest
{
    public bool AttachStdin { get; set; }
    public bool AttachStdout { get; set; }
    public bool AttachStderr { get; set; }
    public List<uint>? ConsoleSize { get; set; }
    public string? DetachKeys { get; set; }
    public bool Tty { get; set; }
    public List<string>? Env { get; set; }
    public List<string>? Cmd { get; set; }
    public bool Privileged { get; set; }
    public string? User { get; set; }
    public string? WorkingDir { get; set; }
}

/// <summary>POST /containers/{id}/exec answer.</summary>
public sealed class ExecCreateResponse
{
    public string Id { get; set; } = "";
}

/// <summary>POST /exec/{id}/start.</summary>
public sealed class ExecStartRequest
{
    public bool Detach { get; set; }
    public bool Tty { get; set; }
    public List<uint>? ConsoleSize { get; set; }

    /// <summary>Not in Docker's API (it takes them at exec create): overrides the create's detach keys for this start.</summary>
    public string? DetachKeys { get; set; }
}

/// <summary>GET /exec/{id}/json (note Docker's "ID", not "Id").</summary>
public sealed class ExecInspect
{
    public bool CanRemove { get; set; }
    public string ContainerID { get; set; } = "";
    public string DetachKeys { get; set; } = "";
    public int? ExitCode { get; set; }
    public string ID { get; set; } = "";
    public bool OpenStderr { get; set; }
    public bool OpenStdin { get; set; }
    public bool OpenStdout { get; set; }
    public ExecProcessConfig? ProcessConfig { get; set; }
    public bool Running { get; set; }
    public int Pid { get; set; }
}

public sealed class ExecProcessConfig
{
    [System.Text.Json.Serialization.JsonPropertyName("arguments")]
    public List<string> Arguments { get; set; } = [];
    [System.Text.Json.Serialization.JsonPropertyName("entrypoint")]
    public string Entrypoint { get; set; } = "";
    [System.Text.Json.Serialization.JsonPropertyName("privileged")]
    public bool Privileged { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("tty")]
    public bool Tty { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("user")]
    public string? User { get; set; }
}
