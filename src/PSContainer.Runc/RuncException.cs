namespace PSContainer.Runc;

/// <summary>
/// A failure of a runtime operation with the one line a caller shows ("container \"x\" does not
/// exist") and the exit code psc-runc returns for it.
/// </summary>
public sealed class RuncException : Exception
{
    public RuncException(string message, int exitCode = 1) : base(message) => ExitCode = exitCode;

    public RuncException(string message, Exception inner, int exitCode = 1) : base(message, inner) => ExitCode = exitCode;

    public RuncException() : base("psc-runc failed") => ExitCode = 1;

    public RuncException(string message, Exception inner) : this(message, inner, 1) { }

    public RuncException(string message) : this(message, 1) { }

    public int ExitCode { get; }
}
