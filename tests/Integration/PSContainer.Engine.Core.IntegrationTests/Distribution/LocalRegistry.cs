using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PSContainer.Engine.Core.Diff;

namespace PSContainer.Engine.Core.IntegrationTests.Distribution;

/// <summary>
/// Debian's docker-registry (the CNCF distribution registry) on 127.0.0.1 with its storage in a
/// temp directory; stopped by PID and deleted at the end.
/// </summary>
internal sealed class LocalRegistry : IDisposable
{
    private const string RegistryBinary = "/usr/bin/docker-registry";
    private readonly Process _process;

    public LocalRegistry()
    {
        Root = Path.Combine(Path.GetTempPath(), "psc-registry-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var config = Path.Combine(Root, "config.yml");
        File.WriteAllText(config, $"""
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: {Path.Combine(Root, "storage")}
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{Port}
            """);
        _process = Process.Start(new ProcessStartInfo(RegistryBinary, ["serve", config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException($"could not start {RegistryBinary}");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        WaitUntilListening();
    }

    public string Root { get; }

    public int Port { get; }

    public string Domain => $"127.0.0.1:{Port}";

    /// <summary>Waits for the port to accept connections (the registry starts in well under a second).</summary>
    private void WaitUntilListening()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{RegistryBinary} exited with {_process.ExitCode} before listening on {Domain}");
            }
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }
        throw new InvalidOperationException($"{RegistryBinary} did not listen on {Domain}");
    }

    /// <summary>Copies an image into the registry with skopeo (the reference tool).</summary>
    public void SkopeoCopy(string source, string repositoryAndTag)
    {
        var result = Run("/usr/bin/skopeo", ["copy", "--quiet", "--dest-tls-verify=false", source, $"docker://{Domain}/{repositoryAndTag}"]);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"skopeo copy {source} → {repositoryAndTag} failed ({result.ExitCode}): {result.Output}");
        }
    }

    /// <summary>The digest the registry serves for the reference, as skopeo inspect reports it.</summary>
    public string SkopeoDigest(string repositoryAndTag)
    {
        var result = Run("/usr/bin/skopeo", ["inspect", "--format", "{{.Digest}}", "--tls-verify=false", $"docker://{Domain}/{repositoryAndTag}"]);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"skopeo inspect {repositoryAndTag} failed ({result.ExitCode}): {result.Output}");
        }
        return result.Output.Trim();
    }

    private static (int ExitCode, string Output) Run(string file, string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return process.ExitCode == 0 ? (0, stdout.Result) : (process.ExitCode, stdout.Result + stderr.Result);
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit();
            }
        }
        finally
        {
            _process.Dispose();
            FileTree.DeleteRecursive(Root);
        }
    }
}
