using System.Security.Cryptography;

namespace Berth.Acme;

/// <summary>
/// The account's ECDSA P-256 key: signs every request (ES256) and identifies the account through
/// its JSON Web Key thumbprint.
/// </summary>
public sealed class AcmeAccountKey : IDisposable
{
    private readonly ECDsa _key;

    private AcmeAccountKey(ECDsa key)
    {
        var parameters = key.ExportParameters(includePrivateParameters: false);
        if (key.KeySize != 256 || parameters.Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
        {
            throw new ArgumentException("The account key must be an ECDSA P-256 key.", nameof(key));
        }

        _key = key;
        Jwk = EcPublicJwk.From(parameters);
        Thumbprint = JsonWebKeyThumbprint.Compute(Jwk.ThumbprintMembers());
    }

    /// <summary>The RFC 7638 SHA-256 thumbprint of the public key, base64url.</summary>
    public string Thumbprint { get; }

    internal EcPublicJwk Jwk { get; }

    /// <summary>Creates a new random key.</summary>
    public static AcmeAccountKey Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>Loads a key exported by <see cref="ExportPem"/> (PKCS#8 or SEC1 PEM).</summary>
    public static AcmeAccountKey FromPem(string pem)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pem);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            return new AcmeAccountKey(key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>The private key as PKCS#8 PEM, for storage. Protect it at rest.</summary>
    public string ExportPem() => _key.ExportPkcs8PrivateKeyPem();

    /// <summary>The key authorization for an HTTP-01 token: <c>token.thumbprint</c> (RFC 8555 section 8.1).</summary>
    public string KeyAuthorization(string token) => $"{token}.{Thumbprint}";

    internal byte[] Sign(ReadOnlySpan<byte> data) =>
        _key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <inheritdoc />
    public void Dispose() => _key.Dispose();
}
