using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace PSContainer.Engine.Core.IntegrationTests.Distribution;

/// <summary>
/// Debian's docker-registry (the CNCF distribution registry) on 127.0.0.1 with its storage in a
/// temp directory; stopped by PID and deleted at the end. Optionally with TLS from a test CA, htpasswd
/// (Basic) authentication, or token (Bearer) authentication through a <see cref="TokenServer"/>.
/// Self-contained (no core types), so the module's integration tests link it too.
/// </summary>
internal sealed class LocalRegistry : IDisposable
{
    private const string RegistryBinary = "/usr/bin/docker-registry";
    private readonly Process _process;

    /// <param name="tls">Serve HTTPS with a certificate for "localhost" from a fresh test CA (written to <see cref="CaFile"/>).</param>
    /// <param name="htpasswd">Require these credentials (HTTP Basic, checked against a bcrypt htpasswd file).</param>
    /// <param name="tokens">Require bearer tokens issued by this token server.</param>
    public LocalRegistry(bool tls = false, (string User, string Password)? htpasswd = null, TokenServer? tokens = null)
    {
        Root = Path.Combine(Path.GetTempPath(), "psc-registry-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var tlsConfig = "";
        if (tls)
        {
            CaFile = Path.Combine(Root, "ca.crt");
            MakeCertificates();
            tlsConfig = $"""

                  tls:
                    certificate: {Path.Combine(Root, "server.crt")}
                    key: {Path.Combine(Root, "server.key")}
                """;
        }
        var authConfig = "";
        if (htpasswd is { } login)
        {
            var file = Path.Combine(Root, "htpasswd");
            File.WriteAllText(file, Htpasswd.Line(login.User, login.Password) + "\n");
            authConfig = $"""

                auth:
                  htpasswd:
                    realm: psc-test
                    path: {file}
                """;
        }
        else if (tokens is not null)
        {
            var bundle = Path.Combine(Root, "token-signer.crt");
            File.WriteAllText(bundle, tokens.CertificatePem);
            authConfig = $"""

                auth:
                  token:
                    realm: {tokens.Realm}
                    service: {TokenServer.Service}
                    issuer: {TokenServer.Issuer}
                    rootcertbundle: {bundle}
                """;
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
            """ + tlsConfig.TrimEnd() + authConfig.TrimEnd());
        _process = Process.Start(new ProcessStartInfo(RegistryBinary, ["serve", config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException($"could not start {RegistryBinary}");
        _process.OutputDataReceived += (_, e) => Record(e.Data);
        _process.ErrorDataReceived += (_, e) => Record(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        WaitUntilListening();
    }

    public string Root { get; }

    private readonly System.Text.StringBuilder _log = new();

    /// <summary>What the registry wrote (warnings and errors), for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    private void Record(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    public int Port { get; }

    public string Domain => $"127.0.0.1:{Port}";

    /// <summary>The test CA's certificate (PEM) when serving TLS.</summary>
    public string? CaFile { get; }

    /// <summary>A CA and a server certificate for localhost and 127.0.0.1 signed by it, with openssl.</summary>
    private void MakeCertificates()
    {
        string F(string name) => Path.Combine(Root, name);
        File.WriteAllText(F("san.cnf"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
        foreach (var args in new[]
        {
            new[] { "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=psc test CA", "-keyout", F("ca.key"), "-out", F("ca.crt") },
            ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", F("server.key"), "-out", F("server.csr")],
            ["x509", "-req", "-in", F("server.csr"), "-CA", F("ca.crt"), "-CAkey", F("ca.key"), "-CAcreateserial", "-days", "1", "-extfile", F("san.cnf"), "-out", F("server.crt")],
        })
        {
            var result = Run("/usr/bin/openssl", args);
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"openssl {args[0]} failed ({result.ExitCode}): {result.Output}");
            }
        }
    }

    /// <summary>A self-signed CA (ca.crt, ca.key) in <paramref name="directory"/>.</summary>
    public static void MakeCa(string directory)
    {
        var result = Run("/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=psc other CA",
            "-keyout", Path.Combine(directory, "ca.key"), "-out", Path.Combine(directory, "ca.crt")]);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"openssl req failed ({result.ExitCode}): {result.Output}");
        }
    }

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
    public void SkopeoCopy(string source, string repositoryAndTag, string? credentials = null)
    {
        string[] creds = credentials is null ? [] : ["--dest-creds", credentials];
        var result = Run("/usr/bin/skopeo", ["copy", "--quiet", "--dest-tls-verify=false", .. creds, source, $"docker://{Domain}/{repositoryAndTag}"]);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"skopeo copy {source} → {repositoryAndTag} failed ({result.ExitCode}): {result.Output}");
        }
    }

    /// <summary>The digest the registry serves for the reference, as skopeo inspect reports it.</summary>
    public string SkopeoDigest(string repositoryAndTag, string? credentials = null)
    {
        string[] creds = credentials is null ? [] : ["--creds", credentials];
        var result = Run("/usr/bin/skopeo", ["inspect", "--format", "{{.Digest}}", "--tls-verify=false", .. creds, $"docker://{Domain}/{repositoryAndTag}"]);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"skopeo inspect {repositoryAndTag} failed ({result.ExitCode}): {result.Output}");
        }
        return result.Output.Trim();
    }

    /// <summary>skopeo inspect's JSON for the reference (Digest, Layers, …).</summary>
    public string SkopeoInspect(string repositoryAndTag)
    {
        var result = Run("/usr/bin/skopeo", ["inspect", "--tls-verify=false", $"docker://{Domain}/{repositoryAndTag}"]);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"skopeo inspect {repositoryAndTag} failed ({result.ExitCode}): {result.Output}");
        }
        return result.Output;
    }

    /// <summary>The manifest bytes the registry serves for the reference (skopeo inspect --raw), exactly as sent.</summary>
    public byte[] SkopeoRawManifest(string repositoryAndTag)
    {
        using var process = Process.Start(new ProcessStartInfo("/usr/bin/skopeo",
            ["inspect", "--raw", "--tls-verify=false", $"docker://{Domain}/{repositoryAndTag}"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        using var body = new MemoryStream();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.BaseStream.CopyTo(body);
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"skopeo inspect --raw {repositoryAndTag} failed ({process.ExitCode}): {stderr.Result}");
        }
        return body.ToArray();
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
            Directory.Delete(Root, recursive: true);
        }
    }
}
