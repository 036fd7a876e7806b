using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PSContainer.Oci;

/// <summary>
/// A content digest "algorithm:encoded" (OCI image-spec descriptor.md, "Digests"). Only sha256 is
/// accepted: it is what every registry and archive uses, and accepting an algorithm we cannot
/// verify would let unverified bytes in.
/// </summary>
[JsonConverter(typeof(DigestJsonConverter))]
public readonly record struct Digest
{
    public const string Sha256 = "sha256";

    private Digest(string algorithm, string encoded)
    {
        Algorithm = algorithm;
        Encoded = encoded;
    }

    public string Algorithm { get; }

    /// <summary>The lower-case hex part, 64 characters for sha256.</summary>
    public string Encoded { get; }

    public bool IsEmpty => Encoded is null;

    public override string ToString() => IsEmpty ? "" : $"{Algorithm}:{Encoded}";

    /// <summary>Parses "sha256:&lt;64 hex&gt;"; throws <see cref="FormatException"/> naming the bad value.</summary>
    public static Digest Parse(string value) =>
        TryParse(value, out var digest, out var error) ? digest : throw new FormatException($"invalid digest \"{value}\": {error}");

    public static bool TryParse([NotNullWhen(true)] string? value, out Digest digest) => TryParse(value, out digest, out _);

    private static bool TryParse(string? value, out Digest digest, out string error)
    {
        digest = default;
        if (string.IsNullOrEmpty(value))
        {
            error = "empty";
            return false;
        }
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            error = "expected algorithm:hex";
            return false;
        }
        var algorithm = value[..colon];
        var encoded = value[(colon + 1)..];
        if (algorithm != Sha256)
        {
            error = $"unsupported algorithm \"{algorithm}\" (only sha256)";
            return false;
        }
        if (encoded.Length != 64 || !encoded.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f'))
        {
            error = "sha256 needs 64 lower-case hex characters";
            return false;
        }
        digest = new Digest(algorithm, encoded);
        error = "";
        return true;
    }

    /// <summary>A sha256 digest from its hex part (validated).</summary>
    public static Digest FromHex(string hex) => Parse($"{Sha256}:{hex}");

    public static Digest FromBytes(ReadOnlySpan<byte> data) => FromHash(SHA256.HashData(data));

    public static Digest FromHash(ReadOnlySpan<byte> sha256) =>
        new(Sha256, Convert.ToHexStringLower(sha256));

    public static async Task<Digest> FromStreamAsync(Stream stream, CancellationToken cancellationToken = default) =>
        FromHash(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
}

/// <summary>Reads and writes a <see cref="Digest"/> as its string form, rejecting malformed values.</summary>
public sealed class DigestJsonConverter : JsonConverter<Digest>
{
    public override Digest Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        try
        {
            return Digest.Parse(text ?? "");
        }
        catch (FormatException e)
        {
            throw new JsonException(e.Message, e);
        }
    }

    public override void Write(Utf8JsonWriter writer, Digest value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());

    public override Digest ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Read(ref reader, typeToConvert, options);

    public override void WriteAsPropertyName(Utf8JsonWriter writer, Digest value, JsonSerializerOptions options) =>
        writer.WritePropertyName(value.ToString());
}
