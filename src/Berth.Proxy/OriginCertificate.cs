using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Berth.Proxy;

/// <summary>
/// Self-signed certificates for hosts served behind Cloudflare, whose "Full" TLS mode encrypts to the
/// origin without validating its certificate.
/// </summary>
public static class OriginCertificate
{
    /// <summary>The validity used when none is given.</summary>
    public static readonly TimeSpan DefaultValidity = TimeSpan.FromDays(3650);

    /// <summary>Creates an ECDSA P-256 certificate, with its private key, naming every host in the subject alternative names.</summary>
    /// <param name="hosts">One or more host names; the first is also the subject's common name.</param>
    /// <param name="timeProvider">The clock for the validity period.</param>
    /// <param name="validity">How long the certificate is valid; <see cref="DefaultValidity"/> when null.</param>
    public static X509Certificate2 CreateSelfSigned(IReadOnlyList<string> hosts, TimeProvider timeProvider, TimeSpan? validity = null)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (hosts.Count == 0)
        {
            throw new ArgumentException("At least one host is needed.", nameof(hosts));
        }

        var names = hosts.Select(HostName.Normalize).ToArray();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={names[0]}"), key, HashAlgorithmName.SHA256);
        var sans = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            sans.AddDnsName(name);
        }

        request.CertificateExtensions.Add(sans.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));

        var now = timeProvider.GetUtcNow();
        return request.CreateSelfSigned(now.AddMinutes(-5), now + (validity ?? DefaultValidity));
    }
}
