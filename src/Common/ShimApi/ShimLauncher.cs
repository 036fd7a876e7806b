using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace PSContainer.ShimApi;

/// <summary>What `psc-shim start` needs; null options are left to the shim's defaults.</summary>
/// <param name="ShimPath">The psc-shim executable.</param>
/// <param name="EventsAddress">The engine's events socket (a path); null: the shim sends no events.</param>
/// <param name="Runtime">The OCI runtime binary; default psc-runc next to psc-shim.</param>
/// <param name="RuntimeRoot">The runtime's --root (state directory).</param>
/// <param name="SocketDirectory">Where the shim socket goes; default <see cref="ShimPaths.DefaultSocketDirectory"/>.</param>
public sealed record ShimStartOptions(string ShimPath, string ContainerId, string Bundle, string? EventsAddress = null,
    string? Runtime = null, string? RuntimeRoot = null, long? LogMaxSize = null, int? LogMaxFiles = null,
    string? SocketDirectory = null)
{
    /// <summary>The command line after the executable, for `start`, `serve` or `delete`.</summary>
    public IReadOnlyList<string> Arguments(string verb)
    {
        var args = new List<string> { verb, "--id", ContainerId, "--bundle", Bundle };
        void Add(string name, string? value)
        {
            if (value is not null)
            {
                args.Add(name);
                args.Add(value);
            }
        }
        Add("--address", EventsAddress);
        Add("--runtime", Runtime);
        Add("--runtime-root", RuntimeRoot);
        Add("--socket-dir", SocketDirectory);
        if (verb is "start" or "serve")
        {
            Add("--log-max-size", LogMaxSize?.ToString(CultureInfo.InvariantCulture));
            Add("--log-max-files", LogMaxFiles?.ToString(CultureInfo.InvariantCulture));
        }
        return args;
    }
}

/// <summary>
/// Runs the psc-shim verbs for the engine. (System.Diagnostics.Process is right here, in the
/// engine; it must never be used inside the shim, which reaps its own children.)
/// </summary>
public static class ShimLauncher
{
    /// <summary>
    /// `psc-shim start ...`: starts the detached shim (or finds the running one) and returns the
    /// address it printed ("unix:///run/pscontainer/s/&lt;hash&gt;.sock").
    /// </summary>
    public static async Task<string> StartAsync(ShimStartOptions options, CancellationToken cancellationToken = default)
    {
        var (code, stdout, stderr) = await RunAsync(options, "start", cancellationToken).ConfigureAwait(false);
        var address = stdout.Trim();
        if (code != 0 || !address.StartsWith(ShimPaths.AddressScheme, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"psc-shim start --id {options.ContainerId} failed (exit {code}): {stderr.Trim()}");
        }
        return address;
    }

    /// <summary>
    /// `psc-shim delete ...`: out-of-band cleanup after a shim died; returns the exit it recorded
    /// (the shim's own record if it wrote one, else 137 with Unknown set).
    /// </summary>
    public static async Task<ShimExitRecord> DeleteAsync(ShimStartOptions options, CancellationToken cancellationToken = default)
    {
        var (code, stdout, stderr) = await RunAsync(options, "delete", cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            throw new InvalidOperationException($"psc-shim delete --id {options.ContainerId} failed (exit {code}): {stderr.Trim()}");
        }
        try
        {
            return JsonSerializer.Deserialize(stdout, ShimJsonContext.Default.ShimExitRecord)
                ?? throw new InvalidOperationException("psc-shim delete printed nothing");
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"psc-shim delete printed '{stdout.Trim()}', not an exit record: {e.Message}", e);
        }
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(ShimStartOptions options, string verb, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(options.ShimPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        foreach (var arg in options.Arguments(verb))
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot run {options.ShimPath}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return (process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }
}
