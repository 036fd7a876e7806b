using System.Net;
using PSContainer.Engine.Core.Distribution;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Engine.Core.IntegrationTests.Distribution;

/// <summary>
/// Authentication against the real distribution registry: htpasswd (Basic) and token (Bearer,
/// through a token server in the test process). Push, pull back, and the errors a wrong password
/// or no credentials give.
/// </summary>
public sealed class RegistryAuthTests
{
    private const string User = "alice";
    private const string Password = "correct horse";

    private static RegistryCredentials Alice(string password = Password) => new() { Username = User, Password = password };

    private static async Task<CoreFixture> LoadedCoreAsync(string tagAs)
    {
        var core = new CoreFixture("native");
        await using (var archive = File.OpenRead(TestEnvironment.Image("busybox-oci.tar")))
        {
            await core.Services.Archives.LoadAsync(archive, new Archive.LoadOptions { DefaultRepository = "busybox" });
        }
        core.Services.Images.Tag("busybox:latest", tagAs);
        return core;
    }

    [RequiresRootFact]
    public async Task Htpasswd_basic_auth_push_and_pull_with_credentials_and_clear_401s_without_them()
    {
        using var registry = new LocalRegistry(htpasswd: (User, Password));
        var name = $"{registry.Domain}/private/busybox:v1";
        using var source = await LoadedCoreAsync(name);
        var image = source.Services.Images.Get(name);

        var anonymous = await Assert.ThrowsAsync<RegistryException>(() => source.Services.Distribution.PushAsync(name));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
        Assert.Contains("authentication required", anonymous.Message, StringComparison.Ordinal);
        Assert.Contains($"no credentials were given: log in with docker login {registry.Domain}", anonymous.Message, StringComparison.Ordinal);
        var wrong = await Assert.ThrowsAsync<RegistryException>(() => source.Services.Distribution.LoginAsync(
            new RegistryCredentials { Username = User, Password = "wrong", ServerAddress = registry.Domain }));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.Status);
        Assert.Contains($"credentials of \"{User}\" were refused", wrong.Message, StringComparison.Ordinal);
        await source.Services.Distribution.LoginAsync(new RegistryCredentials { Username = User, Password = Password, ServerAddress = registry.Domain });

        var pushed = await source.Services.Distribution.PushAsync(name, Alice());
        Assert.Equal(image.Target.Digest, pushed.Digest);
        Assert.Equal(pushed.Digest.ToString(), registry.SkopeoDigest("private/busybox:v1", $"{User}:{Password}"));

        using var target = new CoreFixture("native");
        var refused = await Assert.ThrowsAsync<RegistryException>(() => target.Services.Distribution.PullAsync(name, credentials: Alice("wrong")));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.Status);
        Assert.False(target.Services.Images.TryGet(name, out _));
        var pulled = await target.Services.Distribution.PullAsync(name, credentials: Alice());
        Assert.Equal(image.Id, pulled.Image.Id);
    }

    [RequiresRootFact]
    public async Task Token_auth_issues_scoped_bearer_tokens_for_push_and_pull_and_refuses_a_wrong_password()
    {
        using var tokens = new TokenServer(User, Password);
        using var registry = new LocalRegistry(tokens: tokens);
        var name = $"{registry.Domain}/team/busybox:v1";
        using var source = await LoadedCoreAsync(name);
        var image = source.Services.Images.Get(name);

        await source.Services.Distribution.LoginAsync(new RegistryCredentials { Username = User, Password = Password, ServerAddress = registry.Domain });
        var wrongLogin = await Assert.ThrowsAsync<RegistryException>(() => source.Services.Distribution.LoginAsync(
            new RegistryCredentials { Username = User, Password = "wrong", ServerAddress = registry.Domain }));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongLogin.Status);
        Assert.Contains("wrong user name or password", wrongLogin.Message, StringComparison.Ordinal);

        var pushed = await source.Services.Distribution.PushAsync(name, Alice());
        Assert.Equal(image.Target.Digest, pushed.Digest);
        Assert.True(tokens.Issued >= 2, $"{tokens.Issued} tokens issued"); // the logins' and the push's

        using var target = new CoreFixture("native");
        var issuedBefore = tokens.Issued;
        var pulled = await target.Services.Distribution.PullAsync(name, credentials: Alice());
        Assert.Equal(image.Id, pulled.Image.Id);
        Assert.Equal(issuedBefore + 1, tokens.Issued); // one token for the pull scope, reused for manifest, config and layers
        var anonymous = await Assert.ThrowsAsync<RegistryException>(() => target.Services.Distribution.PullAsync($"{registry.Domain}/team/busybox:other"));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
    }
}
