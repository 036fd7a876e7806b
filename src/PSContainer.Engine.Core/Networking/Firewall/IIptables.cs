namespace PSContainer.Engine.Core.Networking.Firewall;

/// <summary>The outcome of one iptables invocation.</summary>
public sealed record IptablesResult(int ExitCode, string Error);

/// <summary>Runs the iptables command (a seam: tests record the argument lists instead).</summary>
public interface IIptables
{
    IptablesResult Run(IReadOnlyList<string> arguments);
}

/// <summary>
/// The `iptables` binary, always with -w (wait for the xtables lock, which dockerd and firewalld
/// also take). Spawned only when a network is created or removed or a port is published, never
/// for a plain container.
/// </summary>
public sealed class IptablesCommand(string path = "iptables") : IIptables
{
    public string Path { get; } = path;

    /// <summary>The first iptables found in the usual places, or null when the host has none.</summary>
    public static string? Find() =>
        new[] { "/usr/sbin/iptables", "/sbin/iptables", "/usr/bin/iptables" }.FirstOrDefault(File.Exists);

    public IptablesResult Run(IReadOnlyList<string> arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo(Path)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-w");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = System.Diagnostics.Process.Start(start)
            ?? throw new InvalidOperationException($"could not start {Path}");
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return new IptablesResult(process.ExitCode, error.GetAwaiter().GetResult().Trim());
    }
}
