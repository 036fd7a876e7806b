namespace PSContainer.Shim.Runtime;

/// <summary>The fds a runtime command (and, for create and exec, the container process) gets as 0, 1, 2.</summary>
internal sealed record RuntimeStdio(int Stdin, int Stdout, int Stderr);
