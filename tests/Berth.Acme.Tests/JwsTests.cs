using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Berth.Acme.Tests;

public sealed class JwsTests
{
    [Fact]
    public void Thumbprint_Rfc7638Example_MatchesThePublishedValue()
    {
        // RFC 7638 section 3.1: the RSA key of RFC 7517 appendix A.1 and its SHA-256 thumbprint.
        var members = new Dictionary<string, string>
        {
            ["kty"] = "RSA",
            ["n"] = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn6" +
                "4tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n9" +
                "1CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            ["e"] = "AQAB",
        };

        Assert.Equal("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", JsonWebKeyThumbprint.Compute(members));
    }

    [Fact]
    public void Thumbprint_EcKey_HashesCrvKtyXYInOrder()
    {
        using var key = AcmeAccountKey.Generate();
        var jwk = key.Jwk;
        var canonical = $"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{jwk.X}\",\"y\":\"{jwk.Y}\"}}";

        Assert.Equal(Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))), key.Thumbprint);
        Assert.Equal($"tok.{key.Thumbprint}", key.KeyAuthorization("tok"));
    }

    [Fact]
    public void Sign_WithoutAccountUrl_CarriesTheJwkAndVerifiesWithThePublicKey()
    {
        using var key = AcmeAccountKey.Generate();
        var url = new Uri("https://ca.example/new-account");

        var message = Parse(Jws.Sign(key, url, "nonce-1", null, "{\"a\":1}"u8));

        var header = JsonDocument.Parse(Base64Url.DecodeFromChars(message.Protected)).RootElement;
        Assert.Equal("ES256", header.GetProperty("alg").GetString());
        Assert.Equal("nonce-1", header.GetProperty("nonce").GetString());
        Assert.Equal(url.AbsoluteUri, header.GetProperty("url").GetString());
        Assert.False(header.TryGetProperty("kid", out _));
        var jwk = header.GetProperty("jwk");
        Assert.Equal(key.Jwk.X, jwk.GetProperty("x").GetString());
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString(Base64Url.DecodeFromChars(message.Payload)));
        Assert.True(Verify(jwk, message));
    }

    [Fact]
    public void Sign_WithAccountUrl_CarriesKidNotJwk_AndAnEmptyPayloadForPostAsGet()
    {
        using var key = AcmeAccountKey.Generate();
        var account = new Uri("https://ca.example/acct/1");

        var message = Parse(Jws.Sign(key, new Uri("https://ca.example/order/1"), "n", account, []));

        var header = JsonDocument.Parse(Base64Url.DecodeFromChars(message.Protected)).RootElement;
        Assert.Equal(account.AbsoluteUri, header.GetProperty("kid").GetString());
        Assert.False(header.TryGetProperty("jwk", out _));
        Assert.Equal(string.Empty, message.Payload);
        Assert.Equal(64, Base64Url.DecodeFromChars(message.Signature).Length);
    }

    [Fact]
    public void FromPem_ExportedKey_KeepsTheThumbprint()
    {
        using var key = AcmeAccountKey.Generate();
        using var again = AcmeAccountKey.FromPem(key.ExportPem());

        Assert.Equal(key.Thumbprint, again.Thumbprint);
    }

    [Fact]
    public void FromPem_NotP256_IsRefused()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        Assert.Throws<ArgumentException>(() => AcmeAccountKey.FromPem(other.ExportPkcs8PrivateKeyPem()));
    }

    private static JwsMessage Parse(byte[] body) => JsonSerializer.Deserialize(body, AcmeJsonContext.Default.JwsMessage)!;

    private static bool Verify(JsonElement jwk, JwsMessage message)
    {
        using var publicKey = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint
            {
                X = Base64Url.DecodeFromChars(jwk.GetProperty("x").GetString()),
                Y = Base64Url.DecodeFromChars(jwk.GetProperty("y").GetString()),
            },
        });
        var signingInput = Encoding.ASCII.GetBytes($"{message.Protected}.{message.Payload}");
        return publicKey.VerifyData(signingInput, Base64Url.DecodeFromChars(message.Signature), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }
}
