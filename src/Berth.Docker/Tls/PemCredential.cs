using System.Security.Cryptography.X509Certificates;

namespace Berth.Docker.Tls;

/// <summary>A certificate and its private key, both PEM text, as written to disk for an engine.</summary>
/// <param name="CertificatePem">The certificate (<c>-----BEGIN CERTIFICATE-----</c>).</param>
/// <param name="PrivateKeyPem">The PKCS#8 private key (<c>-----BEGIN PRIVATE KEY-----</c>).</param>
public sealed record PemCredential(string CertificatePem, string PrivateKeyPem)
{
    /// <summary>The certificate with its private key, usable for TLS.</summary>
    public X509Certificate2 ToCertificate() => X509Certificate2.CreateFromPem(CertificatePem, PrivateKeyPem);

    /// <summary>The certificate alone (what a peer gets to pin against).</summary>
    public X509Certificate2 ToPublicCertificate() => X509Certificate2.CreateFromPem(CertificatePem);

    /// <summary>Hides the key from logs and debugger views.</summary>
    public override string ToString() => $"PemCredential({ToPublicCertificate().Subject})";
}
