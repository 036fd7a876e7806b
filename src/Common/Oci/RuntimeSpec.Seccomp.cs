using System.Text.Json.Serialization;

namespace PSContainer.Oci;

// The "linux.seccomp" section of the OCI runtime spec (config-linux.md, "Seccomp"). Actions, ops,
// architectures and flags stay strings here ("SCMP_ACT_ERRNO", "SCMP_CMP_EQ", "SCMP_ARCH_X86_64",
// "SECCOMP_FILTER_FLAG_TSYNC"), exactly as the JSON carries them; the runtime's seccomp compiler
// validates them and reports unknown values by name.

/// <summary><c>linux.seccomp</c>: a syscall filter for the container process.</summary>
public sealed class LinuxSeccomp
{
    /// <summary>Action for syscalls no rule matches, e.g. "SCMP_ACT_ERRNO".</summary>
    [JsonPropertyName("defaultAction")] public string DefaultAction { get; set; } = "";
    /// <summary>errno returned by a default action of SCMP_ACT_ERRNO/SCMP_ACT_TRACE (EPERM when null).</summary>
    [JsonPropertyName("defaultErrnoRet")] public uint? DefaultErrnoRet { get; set; }
    /// <summary>"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", ...; empty means the native one only.</summary>
    [JsonPropertyName("architectures")] public List<string>? Architectures { get; set; }
    /// <summary>"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", ...</summary>
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
    /// <summary>Unix socket that receives the notify fd when an SCMP_ACT_NOTIFY rule is present.</summary>
    [JsonPropertyName("listenerPath")] public string? ListenerPath { get; set; }
    /// <summary>Opaque data sent to the listener with the notify fd.</summary>
    [JsonPropertyName("listenerMetadata")] public string? ListenerMetadata { get; set; }
    [JsonPropertyName("syscalls")] public List<LinuxSyscall>? Syscalls { get; set; }
}

/// <summary>One rule: the action applied to the named syscalls when all of <see cref="Args"/> match.</summary>
public sealed class LinuxSyscall
{
    [JsonPropertyName("names")] public List<string> Names { get; set; } = [];
    [JsonPropertyName("action")] public string Action { get; set; } = "";
    /// <summary>errno for SCMP_ACT_ERRNO (and the value for SCMP_ACT_TRACE); EPERM when null.</summary>
    [JsonPropertyName("errnoRet")] public uint? ErrnoRet { get; set; }
    [JsonPropertyName("args")] public List<LinuxSeccompArg>? Args { get; set; }
}

/// <summary>One argument comparison: <c>args[index] op value</c> (MASKED_EQ: <c>(args[index] &amp; value) == valueTwo</c>).</summary>
public sealed class LinuxSeccompArg
{
    /// <summary>Argument position, 0..5.</summary>
    [JsonPropertyName("index")] public uint Index { get; set; }
    [JsonPropertyName("value")] public ulong Value { get; set; }
    [JsonPropertyName("valueTwo")] public ulong ValueTwo { get; set; }
    /// <summary>"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ".</summary>
    [JsonPropertyName("op")] public string Op { get; set; } = "";
}
