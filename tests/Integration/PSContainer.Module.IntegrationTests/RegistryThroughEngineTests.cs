using System.Diagnostics;
using System.Text.Json.Nodes;
using PSContainer.Engine.Core.IntegrationTests.Distribution;
using PSContainer.Module.Client;
using PSContainer.Module.Core;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Module.IntegrationTests;

/// <summary>
/// The whole path to a private registry: the docker CLI logs in and pushes through psc-engine
/// (POST /auth, X-Registry-Auth from its config.json), then the module reads that same
/// config.json and pulls with it — against Debian's docker-registry with htpasswd and token auth.
/// </summary>
public sealed class RegistryThroughEngineTests
{
    private const string User = "alice";
    private const string Password = "correct horse";

    [RequiresRootFact]
    public async Task Docker_login_and_push_through_the_engine_then_the_module_pulls_with_the_saved_login_from_htpasswd_registry()
    {
        using var registry = new LocalRegistry(htpasswd: (User, Password));
        await RoundTripAsync(registry);
    }

    [RequiresRootFact]
    public async Task The_same_round_trip_against_a_registry_with_bearer_token_auth()
    {
        using var tokens = new TokenServer(User, Password);
        using var registry = new LocalRegistry(tokens: tokens);
        await RoundTripAsync(registry);
        Assert.True(tokens.Issued > 0);
    }

    [RequiresRootFact]
    public async Task The_engines_registry_settings_trust_a_tls_registry_through_its_certs_dir_and_refuse_bad_entries()
    {
        using var registry = new LocalRegistry(tls: true);
        var certs = Directory.CreateTempSubdirectory("psc-certs-d-").FullName;
        try
        {
            var host = $"localhost:{registry.Port}";
            Directory.CreateDirectory(Path.Combine(certs, host));
            File.Copy(registry.CaFile!, Path.Combine(certs, host, "ca.crt"));
            await using (var engine = new EngineProcess { ExtraArguments = ["--registry-certs-dir", certs, "--insecure-registry", "10.0.0.0/8"] })
            {
                using var client = new EngineClient(await engine.StartAsync());
                await LoadBusyboxAsync(client);
                await client.TagImageAsync("busybox:latest", $"{host}/secure/busybox", "v1", CancellationToken.None);
                var pushed = new ProgressAggregator("Pushing");
                await foreach (var message in client.PushImageAsync($"{host}/secure/busybox", "v1", null, CancellationToken.None))
                {
                    pushed.Add(message);
                }
                Assert.Contains(pushed.Messages, m => m.StartsWith("v1: digest: sha256:", StringComparison.Ordinal));
                await client.RemoveImageAsync($"{host}/secure/busybox:v1", force: false, noPrune: false, CancellationToken.None);
                var messages = await PullAsync(client, $"{host}/secure/busybox:v1", null);
                Assert.Contains($"Status: Downloaded newer image for {host}/secure/busybox:v1", messages);
            }

            await using var refused = new EngineProcess { ExtraArguments = ["--insecure-registry", "http://10.1.2.3:5000"] };
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => refused.StartAsync());
            Assert.Contains("should not contain '://'", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(certs, recursive: true);
        }
    }

    private static async Task RoundTripAsync(LocalRegistry registry)
    {
        await using var engine = new EngineProcess();
        var endpoint = await engine.StartAsync();
        using var client = new EngineClient(endpoint);
        await LoadBusyboxAsync(client);
        var busyboxId = (await client.InspectImageAsync("busybox:latest", CancellationToken.None)).Id;
        var dockerConfig = Directory.CreateTempSubdirectory("psc-docker-config-").FullName;
        try
        {
            var reference = $"{registry.Domain}/private/busybox:v1";

            var wrong = Docker(endpoint, dockerConfig, "wrong", "login", "--username", User, "--password-stdin", registry.Domain);
            Assert.NotEqual(0, wrong.ExitCode);
            Assert.Contains($"credentials of \"{User}\" were refused", wrong.Output, StringComparison.Ordinal);
            var refused = await Assert.ThrowsAsync<EngineException>(() => client.AuthenticateAsync(
                new Api.AuthConfig { Username = User, Password = "wrong", ServerAddress = registry.Domain }, CancellationToken.None));
            Assert.Equal(EngineErrorKind.Unauthorized, refused.Kind);

            var login = Docker(endpoint, dockerConfig, Password, "login", "--username", User, "--password-stdin", registry.Domain);
            Assert.True(login.ExitCode == 0, login.Output);
            Assert.Contains("Login Succeeded", login.Output, StringComparison.Ordinal);
            var saved = JsonNode.Parse(File.ReadAllText(Path.Combine(dockerConfig, "config.json")))!["auths"]![registry.Domain];
            Assert.NotNull(saved);

            Assert.Equal(0, Docker(endpoint, dockerConfig, null, "tag", "busybox:latest", reference).ExitCode);
            var push = Docker(endpoint, dockerConfig, null, "push", reference);
            Assert.True(push.ExitCode == 0, push.Output + registry.Log);
            Assert.Contains("v1: digest: sha256:", push.Output, StringComparison.Ordinal);
            Assert.Equal(0, Docker(endpoint, dockerConfig, null, "rmi", reference).ExitCode);

            // The module: no login → a clear error from the stream; the docker CLI's login → the image.
            var anonymous = await Assert.ThrowsAsync<EngineException>(() => PullAsync(client, reference, null));
            Assert.Contains("authentication required", anonymous.Message, StringComparison.Ordinal);
            Assert.Contains("no credentials were given", anonymous.Message, StringComparison.Ordinal);
            var store = RegistryCredentialStore.ForCurrentUser(name => name == "DOCKER_CONFIG" ? dockerConfig : null);
            var (auth, warning) = RegistryCredentialStore.ToAuthConfig(store.Lookup(RegistryCredentialStore.RegistryOf(reference)), registry.Domain);
            Assert.Null(warning);
            Assert.Equal(User, auth!.Username);
            var messages = await PullAsync(client, reference, auth);
            Assert.Contains($"Status: Downloaded newer image for {reference}", messages);
            Assert.Equal(busyboxId, (await client.InspectImageAsync(reference, CancellationToken.None)).Id);

            // Removing the repository's last tag takes its digest reference along, as in Docker
            // (the image stays: busybox:latest still names it).
            var removed = Docker(endpoint, dockerConfig, null, "rmi", reference);
            Assert.True(removed.ExitCode == 0, removed.Output);
            Assert.Contains($"Untagged: {registry.Domain}/private/busybox@sha256:", removed.Output, StringComparison.Ordinal);
            var left = await client.InspectImageAsync("busybox:latest", CancellationToken.None);
            Assert.DoesNotContain(left.RepoTags.Concat(left.RepoDigests), r => r.Contains("/private/busybox", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(dockerConfig, recursive: true);
        }
    }

    private static async Task<List<string>> PullAsync(EngineClient client, string reference, Api.AuthConfig? auth)
    {
        var colon = reference.LastIndexOf(':');
        var aggregator = new ProgressAggregator("Pulling");
        await foreach (var message in client.PullImageAsync(reference[..colon], reference[(colon + 1)..], null, auth, CancellationToken.None))
        {
            aggregator.Add(message);
        }
        return aggregator.Messages;
    }

    private static async Task LoadBusyboxAsync(EngineClient client)
    {
        await using var archive = File.OpenRead(TestEnvironment.Image("busybox-docker.tar"));
        var aggregator = new ProgressAggregator("Loading");
        await foreach (var message in client.LoadImageAsync(archive, CancellationToken.None))
        {
            aggregator.Add(message);
        }
        Assert.NotEmpty(LoadedImages.Parse(aggregator.Messages));
    }

    /// <summary>Runs the docker CLI against the engine under test with its own config directory.</summary>
    private static (int ExitCode, string Output) Docker(EngineEndpoint endpoint, string configDirectory, string? stdin, params string[] args)
    {
        var start = new ProcessStartInfo("docker")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOCKER_HOST"] = endpoint.ToString();
        start.Environment["DOCKER_CONFIG"] = configDirectory;
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
        }
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
