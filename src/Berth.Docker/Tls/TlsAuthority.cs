using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Berth.Docker.Tls;

/// <summary>
/// A private certificate authority (ECDSA P-256) that issues the certificates of engines reached
/// over TCP: a server certificate per engine (its name in the subject alternative names) and
/// client certificates for the callers. Everything goes in and out as PEM.
/// </summary>
public sealed class TlsAuthority : IDisposable
{
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";
    private static readonly TimeSpan ClockSkew = TimeSpan.FromHours(1);

    private readonly X509Certificate2 _certificate;
    private readonly ECDsa _key;
    private readonly TimeProvider _time;

    private TlsAuthority(X509Certificate2 certificate, ECDsa key, PemCredential pem, TimeProvider time)
    {
        _certificate = certificate;
        _key = key;
        Credential = pem;
        _time = time;
    }

    /// <summary>The authority's own certificate and key.</summary>
    public PemCredential Credential { get; }

    /// <summary>The authority's certificate (public part), the pin for <see cref="EngineCertificateValidation"/>.</summary>
    public string CertificatePem => Credential.CertificatePem;

    /// <summary>Creates a new self-signed authority valid for <paramref name="validity"/>.</summary>
    public static TlsAuthority Create(string commonName, TimeSpan validity, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(commonName);
        ArgumentNullException.ThrowIfNull(time);
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(Name(commonName), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = time.GetUtcNow();
        using var certificate = request.CreateSelfSigned(now - ClockSkew, now + validity);
        var pem = new PemCredential(certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
        return new TlsAuthority(X509Certificate2.CreateFromPem(pem.CertificatePem), key, pem, time);
    }

    /// <summary>Loads an authority created earlier (for example from the data folder).</summary>
    public static TlsAuthority Load(PemCredential credential, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(time);
        var key = ECDsa.Create();
        key.ImportFromPem(credential.PrivateKeyPem);
        return new TlsAuthority(X509Certificate2.CreateFromPem(credential.CertificatePem), key, credential, time);
    }

    /// <summary>
    /// A server certificate for an engine: subject CN <paramref name="name"/>, the name and
    /// <paramref name="dnsNames"/> / <paramref name="addresses"/> as subject alternative names,
    /// usable for server authentication only.
    /// </summary>
    public PemCredential IssueServer(string name, TimeSpan validity, IEnumerable<string>? dnsNames = null, IEnumerable<IPAddress>? addresses = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        foreach (var dns in dnsNames ?? [])
        {
            san.AddDnsName(dns);
        }

        foreach (var address in addresses ?? [])
        {
            san.AddIpAddress(address);
        }

        return Issue(name, validity, ServerAuthOid, san.Build());
    }

    /// <summary>A client certificate (client authentication only) for <paramref name="name"/>.</summary>
    public PemCredential IssueClient(string name, TimeSpan validity)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return Issue(name, validity, ClientAuthOid, subjectAlternativeNames: null);
    }

    public void Dispose()
    {
        _certificate.Dispose();
        _key.Dispose();
    }

    private PemCredential Issue(string name, TimeSpan validity, string usageOid, X509Extension? subjectAlternativeNames)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(Name(name), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usageOid)], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        if (subjectAlternativeNames is not null)
        {
            request.CertificateExtensions.Add(subjectAlternativeNames);
        }

        var now = _time.GetUtcNow();
        var notAfter = now + validity;
        if (notAfter > _certificate.NotAfter)
        {
            notAfter = _certificate.NotAfter;
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var certificate = request.Create(_certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(_key), now - ClockSkew, notAfter, serial);
        return new PemCredential(certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    private static X500DistinguishedName Name(string commonName)
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCommonName(commonName);
        return builder.Build();
    }
}
