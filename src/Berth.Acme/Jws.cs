using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace Berth.Acme;

/// <summary>Flattened JWS JSON serialization with ES256, as ACME requests use it (RFC 8555 section 6.2).</summary>
internal static class Jws
{
    /// <summary>
    /// Signs <paramref name="payload"/> (JSON bytes, or empty for POST-as-GET). The protected header
    /// carries the public key (<c>jwk</c>) when <paramref name="keyId"/> is null, as newAccount
    /// requires, and the account URL (<c>kid</c>) otherwise.
    /// </summary>
    public static byte[] Sign(AcmeAccountKey key, Uri url, string nonce, Uri? keyId, ReadOnlySpan<byte> payload)
    {
        var header = new JwsProtectedHeader("ES256", keyId is null ? key.Jwk : null, keyId?.AbsoluteUri, nonce, url.AbsoluteUri);
        var protectedPart = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(header, AcmeJsonContext.Default.JwsProtectedHeader));
        var payloadPart = Base64Url.EncodeToString(payload);
        var signature = key.Sign(Encoding.ASCII.GetBytes($"{protectedPart}.{payloadPart}"));
        var message = new JwsMessage(protectedPart, payloadPart, Base64Url.EncodeToString(signature));
        return JsonSerializer.SerializeToUtf8Bytes(message, AcmeJsonContext.Default.JwsMessage);
    }
}
