namespace Berth.Acme;

/// <summary>An issued certificate with its private key.</summary>
/// <param name="ChainPem">The certificate followed by the issuer chain, PEM, as the server sent it.</param>
/// <param name="PrivateKeyPem">The certificate's ECDSA P-256 private key, PKCS#8 PEM. Protect it at rest.</param>
/// <param name="DnsNames">The names the certificate was ordered for.</param>
/// <param name="NotBefore">Start of the validity period of the end-entity certificate.</param>
/// <param name="NotAfter">End of the validity period of the end-entity certificate.</param>
public sealed record AcmeCertificate(
    string ChainPem,
    string PrivateKeyPem,
    IReadOnlyList<string> DnsNames,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter)
{
    /// <summary>When to renew, see <see cref="CertificateRenewal.RenewAt"/>.</summary>
    public DateTimeOffset RenewAt => CertificateRenewal.RenewAt(NotBefore, NotAfter);
}
