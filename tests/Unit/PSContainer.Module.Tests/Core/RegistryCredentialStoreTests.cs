using System.Text;
using System.Text.Json.Nodes;
using PSContainer.Module.Core;
using Xunit;

namespace PSContainer.Module.Tests.Core;

/// <summary>Docker's config.json as the docker CLI writes it: inline auths, identity tokens, credential helpers.</summary>
public sealed class RegistryCredentialStoreTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("psc-module-config-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private RegistryCredentialStore StoreWith(string json)
    {
        var config = Path.Combine(_root, "config.json");
        File.WriteAllText(config, json);
        return new RegistryCredentialStore(config);
    }

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void An_Inline_Auth_Becomes_The_Registry_Auth_Header_Payload()
    {
        var store = StoreWith("{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"" + B64("bob:pw:with:colons") + "\"},\"reg.example:5000\":{\"auth\":\"" + B64("amy:x") + "\"}}}");

        var (auth, warning) = RegistryCredentialStore.ToAuthConfig(store.Lookup("docker.io"), "docker.io");

        Assert.Null(warning);
        Assert.Equal("bob", auth!.Username);
        Assert.Equal("pw:with:colons", auth.Password);
        Assert.Null(auth.IdentityToken);
        Assert.Equal("docker.io", auth.ServerAddress);
        Assert.Equal(("amy", "x"), store.Find("http://reg.example:5000/"));
    }

    [Fact]
    public void An_Identity_Token_Replaces_The_Password()
    {
        var store = StoreWith("{\"auths\":{\"ghcr.io\":{\"auth\":\"" + B64("carl:") + "\",\"identitytoken\":\"refresh-123\"}}}");

        var (auth, _) = RegistryCredentialStore.ToAuthConfig(store.Lookup("ghcr.io"), "ghcr.io");

        Assert.Equal("carl", auth!.Username);
        Assert.Null(auth.Password);
        Assert.Equal("refresh-123", auth.IdentityToken);
        Assert.Null(store.Find("ghcr.io")); // no password to hand out
    }

    [Fact]
    public void Saving_With_An_Identity_Token_Writes_The_Docker_Cli_Format()
    {
        var store = StoreWith("{}");

        store.Save("ghcr.io", "carl", "the-password", identityToken: "refresh-456");

        var entry = JsonNode.Parse(File.ReadAllText(store.ConfigPath))!["auths"]!["ghcr.io"]!;
        Assert.Equal(B64("carl:"), entry["auth"]!.GetValue<string>());
        Assert.Equal("refresh-456", entry["identitytoken"]!.GetValue<string>());
        Assert.Equal(new RegistryLogin("carl", null, "refresh-456"), store.Lookup("ghcr.io").Login);
    }

    [Theory]
    [InlineData("""{"credHelpers":{"reg.example:5000":"ecr-login"},"credsStore":"desktop"}""", "reg.example:5000", "docker-credential-ecr-login")]
    [InlineData("""{"credHelpers":{"other.example":"ecr-login"},"credsStore":"desktop"}""", "reg.example:5000", "docker-credential-desktop")]
    [InlineData("""{"credsStore":"pass","auths":{"https://index.docker.io/v1/":{}}}""", "docker.io", "docker-credential-pass")]
    public void A_Credential_Helper_Is_Named_In_A_Warning_And_The_Request_Goes_Without_Credentials(string json, string registry, string helper)
    {
        var store = StoreWith(json);

        var lookup = store.Lookup(registry);
        var (auth, warning) = RegistryCredentialStore.ToAuthConfig(lookup, registry);

        Assert.Equal(helper, lookup.Helper);
        Assert.Null(auth);
        Assert.Contains($"credential helper {helper}", warning, StringComparison.Ordinal);
        Assert.Contains("does not support", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void An_Inline_Login_Wins_Over_A_Configured_Helper_And_No_Config_Means_Anonymous()
    {
        var store = StoreWith("{\"credsStore\":\"desktop\",\"auths\":{\"reg.example\":{\"auth\":\"" + B64("dan:pw") + "\"}}}");
        var (auth, warning) = RegistryCredentialStore.ToAuthConfig(store.Lookup("reg.example"), "reg.example");
        Assert.Equal("dan", auth!.Username);
        Assert.Null(warning);

        var none = new RegistryCredentialStore(Path.Combine(_root, "missing", "config.json"));
        Assert.Equal((null, null), RegistryCredentialStore.ToAuthConfig(none.Lookup("docker.io"), "docker.io"));
    }

    [Theory]
    [InlineData("""{"auths":{"reg.example":{"auth":"%%%"}}}""", "is not base64")]
    [InlineData("""{"auths":{"reg.example":{"auth":"bm9jb2xvbg=="}}}""", "does not decode to \"user:password\"")]
    public void A_Broken_Auth_Entry_Is_Reported_With_The_File_And_Key(string json, string message)
    {
        var store = StoreWith(json);
        var error = Assert.Throws<InvalidDataException>(() => store.Lookup("reg.example"));
        Assert.Contains(store.ConfigPath, error.Message, StringComparison.Ordinal);
        Assert.Contains("auths.\"reg.example\".auth", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
