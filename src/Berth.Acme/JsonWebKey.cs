using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Berth.Acme;

/// <summary>The public half of a P-256 key as a JSON Web Key (RFC 7518 section 6.2).</summary>
internal sealed record EcPublicJwk(
    [property: JsonPropertyName("crv")] string Curve,
    [property: JsonPropertyName("kty")] string KeyType,
    [property: JsonPropertyName("x")] string X,
    [property: JsonPropertyName("y")] string Y)
{
    public static EcPublicJwk From(ECParameters parameters) =>
        new("P-256", "EC", Base64Url.EncodeToString(parameters.Q.X), Base64Url.EncodeToString(parameters.Q.Y));

    public IReadOnlyDictionary<string, string> ThumbprintMembers() =>
        new Dictionary<string, string>(StringComparer.Ordinal) { ["crv"] = Curve, ["kty"] = KeyType, ["x"] = X, ["y"] = Y };
}

/// <summary>JSON Web Key thumbprints (RFC 7638).</summary>
internal static class JsonWebKeyThumbprint
{
    /// <summary>
    /// SHA-256 over the required members in lexicographic order with no white space, base64url.
    /// Relaxed escaping: RFC 7638 hashes the plain JSON text, with no escapes beyond what JSON requires.
    /// The caller passes only the required members of its key type (EC: crv, kty, x, y; RSA: e, kty, n).
    /// </summary>
    public static string Compute(IReadOnlyDictionary<string, string> requiredMembers)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in requiredMembers.OrderBy(member => member.Key, StringComparer.Ordinal))
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
        }

        return Base64Url.EncodeToString(SHA256.HashData(buffer.ToArray()));
    }
}
