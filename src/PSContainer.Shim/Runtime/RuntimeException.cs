namespace PSContainer.Shim.Runtime;

/// <summary>The OCI runtime exited non-zero; RuntimeMessage is what it reported (its error log or stderr).</summary>
internal sealed class RuntimeException(string operation, int exitCode, string runtimeMessage)
    : Exception($"{operation} failed (exit {exitCode}): {runtimeMessage}")
{
    public string Operation { get; } = operation;
    public int ExitCode { get; } = exitCode;
    public string RuntimeMessage { get; } = runtimeMessage;
}
