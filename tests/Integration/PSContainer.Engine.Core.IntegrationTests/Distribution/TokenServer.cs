using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PSContainer.Engine.Core.IntegrationTests.Distribution;

/// <summary>
/// A token endpoint for the registry's "auth: token:" mode, in the test process: Basic credentials
/// in, an RS256 JWT out (issuer, audience = service, access for the requested scopes), signed by a
/// throw-away key whose self-signed certificate is the registry's rootcertbundle and travels in
/// the token's x5c header. It counts the tokens it issued.
/// </summary>
internal sealed class TokenServer : IDisposable
{
    public const string Issuer = "psc-test-issuer";
    public const string Service = "psc-test-registry";
    private readonly HttpListener _listener = new();
    private readonly RSA _key = RSA.Create(2048);
    private readonly X509Certificate2 _certificate;
    private readonly string _user;
    private readonly string _password;
    private readonly Task _loop;
    private int _issued;

    public TokenServer(string user, string password)
    {
        _user = user;
        _password = password;
        var request = new CertificateRequest("CN=psc token signer", _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public string Realm => $"http://127.0.0.1:{Port}/token";

    public int Issued => _issued;

    /// <summary>The signing certificate as PEM, for the registry's rootcertbundle.</summary>
    public string CertificatePem => _certificate.ExportCertificatePem();

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            _ = Task.Run(() => Handle(context));
        }
    }

    private void Handle(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_user}:{_password}"));
            if (context.Request.Headers["Authorization"] != expected)
            {
                Write(response, 401, """{"errors":[{"code":"UNAUTHORIZED","message":"token server: wrong user name or password"}]}""");
                return;
            }
            var scopes = (context.Request.QueryString.GetValues("scope") ?? []).SelectMany(s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            var token = Sign(scopes);
            Interlocked.Increment(ref _issued);
            Write(response, 200, new JsonObject { ["token"] = token, ["access_token"] = token, ["expires_in"] = 300 }.ToJsonString());
        }
        catch (HttpListenerException)
        {
            // the client went away
        }
    }

    /// <summary>A JWT granting every requested repository action ("repository:name:pull,push").</summary>
    private string Sign(IEnumerable<string> scopes)
    {
        var access = new JsonArray();
        foreach (var scope in scopes)
        {
            var parts = scope.Split(':');
            if (parts.Length == 3)
            {
                access.Add(new JsonObject
                {
                    ["type"] = parts[0],
                    ["name"] = parts[1],
                    ["actions"] = new JsonArray([.. parts[2].Split(',').Select(a => (JsonNode)JsonValue.Create(a))]),
                });
            }
        }
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new JsonObject
        {
            ["typ"] = "JWT",
            ["alg"] = "RS256",
            ["x5c"] = new JsonArray(JsonValue.Create(Convert.ToBase64String(_certificate.RawData))),
        };
        var claims = new JsonObject
        {
            ["iss"] = Issuer,
            ["sub"] = _user,
            ["aud"] = Service,
            ["exp"] = now + 300,
            ["nbf"] = now - 10,
            ["iat"] = now,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["access"] = access,
        };
        var signingInput = Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url(signature);
    }

    private static string Base64Url(byte[] data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static void Write(HttpListenerResponse response, int status, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength64 = bytes.Length;
        response.OutputStream.Write(bytes);
        response.Close();
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait();
        }
        catch (AggregateException)
        {
            // the loop ends with the listener
        }
        _certificate.Dispose();
        _key.Dispose();
    }
}
