namespace PSContainer.Runc.Security;

/// <summary>
/// The container's capability or seccomp configuration is invalid (an unknown capability, action,
/// operator, architecture or flag). The message names the offending value and where it was found,
/// e.g. "linux.seccomp.syscalls[3].action: unknown action \"SCMP_ACT_FOO\"".
/// </summary>
public sealed class SecurityConfigException : Exception
{
    public SecurityConfigException(string message) : base(message) { }

    public SecurityConfigException(string message, Exception inner) : base(message, inner) { }

    public SecurityConfigException() { }
}
