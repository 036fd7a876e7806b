using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PSContainer.Engine.Core.Tests.Distribution;

/// <summary>
/// A small registry on 127.0.0.1 for tests: manifests by tag or digest, blobs (with Range), and
/// optional Basic or Bearer authentication (with its own token endpoint). It records the
/// requests it saw so tests can check what the client sent.
/// </summary>
internal sealed class FakeRegistry : IDisposable
{
    public const string User = "alice";
    public const string Password = "s3cret";
    private const string Token = "token-for-alice";
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public FakeRegistry(string auth = "none")
    {
        Auth = auth;
        // Find a free port, then listen on it (a tiny race with other processes is acceptable in tests).
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public string Auth { get; }

    public int Port { get; }

    public string Domain => $"127.0.0.1:{Port}";

    /// <summary>"repo/manifests/ref" → (media type, body); blobs by digest.</summary>
    public ConcurrentDictionary<string, (string MediaType, byte[] Body)> Manifests { get; } = new();

    public ConcurrentDictionary<string, byte[]> Blobs { get; } = new();

    /// <summary>Paths that answer with this status and body instead.</summary>
    public ConcurrentDictionary<string, (int Status, string Body)> Failures { get; } = new();

    /// <summary>When set, blob bodies break off after half their bytes (a dropped connection).</summary>
    public bool BreakBlobDownloads { get; set; }

    /// <summary>"METHOD path [range]" of every request, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public int TokenRequests => _tokenRequests;

    /// <summary>Blobs (by digest string) whose GETs wait for <see cref="ReleaseHeldBlobs"/> before answering.</summary>
    public ConcurrentDictionary<string, bool> HeldBlobs { get; } = new();

    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void ReleaseHeldBlobs() => _release.TrySetResult();

    private int _tokenRequests;

    public void AddManifest(string repository, string reference, string mediaType, byte[] body)
    {
        Manifests[$"{repository}/{reference}"] = (mediaType, body);
        Manifests[$"{repository}/{Oci.Digest.FromBytes(body)}"] = (mediaType, body);
    }

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
        var request = context.Request;
        var response = context.Response;
        try
        {
            var path = request.Url!.AbsolutePath;
            Requests.Enqueue($"{request.HttpMethod} {path} {request.Headers["Range"]}".TrimEnd());
            if (path == "/token")
            {
                Interlocked.Increment(ref _tokenRequests);
                if (request.Headers["Authorization"] != BasicValue(User, Password))
                {
                    Write(response, 401, "application/json", """{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}""");
                    return;
                }
                Write(response, 200, "application/json", $$"""{"token":"{{Token}}","expires_in":300}""");
                return;
            }
            if (!Authorized(request, response))
            {
                return;
            }
            if (Failures.TryGetValue(path, out var failure))
            {
                Write(response, failure.Status, "application/json", failure.Body);
                return;
            }
            if (path == "/v2/")
            {
                Write(response, 200, "application/json", "{}");
                return;
            }
            const string prefix = "/v2/";
            var manifestAt = path.IndexOf("/manifests/", StringComparison.Ordinal);
            var blobAt = path.IndexOf("/blobs/", StringComparison.Ordinal);
            if (manifestAt > 0)
            {
                var repository = path[prefix.Length..manifestAt];
                var reference = path[(manifestAt + "/manifests/".Length)..];
                if (Manifests.TryGetValue($"{repository}/{reference}", out var manifest))
                {
                    Write(response, 200, manifest.MediaType, manifest.Body);
                }
                else
                {
                    Write(response, 404, "application/json", """{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}""");
                }
                return;
            }
            if (blobAt > 0 && Blobs.TryGetValue(path[(blobAt + "/blobs/".Length)..], out var blob))
            {
                if (request.HttpMethod == "GET" && HeldBlobs.ContainsKey(path[(blobAt + "/blobs/".Length)..]))
                {
                    _release.Task.Wait();
                }
                var range = request.Headers["Range"];
                if (range is not null && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
                {
                    var from = int.Parse(range["bytes=".Length..^1], System.Globalization.CultureInfo.InvariantCulture);
                    response.AddHeader("Content-Range", $"bytes {from}-{blob.Length - 1}/{blob.Length}");
                    Write(response, 206, "application/octet-stream", blob[from..]);
                    return;
                }
                if (BreakBlobDownloads)
                {
                    response.StatusCode = 200;
                    response.ContentLength64 = blob.Length;
                    response.OutputStream.Write(blob, 0, blob.Length / 2);
                    response.OutputStream.Flush();
                    response.Abort();
                    return;
                }
                Write(response, 200, "application/octet-stream", blob);
                return;
            }
            Write(response, 404, "application/json", """{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry"}]}""");
        }
        catch (HttpListenerException)
        {
            // the client went away
        }
    }

    private bool Authorized(HttpListenerRequest request, HttpListenerResponse response)
    {
        var given = request.Headers["Authorization"];
        switch (Auth)
        {
            case "basic" when given != BasicValue(User, Password):
                response.AddHeader("WWW-Authenticate", "Basic realm=\"fake\"");
                Write(response, 401, "application/json", """{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}""");
                return false;
            case "bearer" when given != "Bearer " + Token:
                var scope = request.Url!.AbsolutePath == "/v2/" ? "" : ",scope=\"repository:x:pull\"";
                response.AddHeader("WWW-Authenticate", $"Bearer realm=\"http://127.0.0.1:{Port}/token\",service=\"fake-registry\"{scope}");
                Write(response, 401, "application/json", """{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}""");
                return false;
            default:
                return true;
        }
    }

    internal static string BasicValue(string user, string password) =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    private static void Write(HttpListenerResponse response, int status, string contentType, string body) =>
        Write(response, status, contentType, Encoding.UTF8.GetBytes(body));

    private static void Write(HttpListenerResponse response, int status, string contentType, byte[] body)
    {
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength64 = body.Length;
        response.OutputStream.Write(body);
        response.Close();
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // the loop ends with the listener
        }
    }
}
