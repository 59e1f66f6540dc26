using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Berth.Docker.Tls;

/// <summary>
/// Checks an engine's server certificate against one private authority and one expected name,
/// ignoring the machine's trust store and the address that was dialled: a peer at the right
/// address without a certificate from the pinned authority for the right name is refused.
/// </summary>
public static class EngineCertificateValidation
{
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";

    /// <summary>A callback for <see cref="SslStream"/> / <see cref="HttpClientHandler"/> pinned to <paramref name="authority"/>.</summary>
    public static RemoteCertificateValidationCallback CreateCallback(X509Certificate2 authority, string expectedName, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(authority);
        ArgumentException.ThrowIfNullOrEmpty(expectedName);
        ArgumentNullException.ThrowIfNull(time);
        return (_, certificate, _, _) => certificate is not null && IsValid(certificate, authority, expectedName, time);
    }

    /// <summary>
    /// True when <paramref name="certificate"/> chains to <paramref name="authority"/> (and only
    /// to it), is valid now, allows server authentication and names <paramref name="expectedName"/>.
    /// </summary>
    public static bool IsValid(X509Certificate certificate, X509Certificate2 authority, string expectedName, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(authority);
        ArgumentNullException.ThrowIfNull(time);
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = time.GetUtcNow().UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ServerAuthOid));
        chain.ChainPolicy.DisableCertificateDownloads = true;
        if (!chain.Build(leaf))
        {
            return false;
        }

        var root = chain.ChainElements[^1].Certificate;
        return root.RawDataMemory.Span.SequenceEqual(authority.RawDataMemory.Span)
            && leaf.MatchesHostname(expectedName, allowWildcards: false, allowCommonName: false);
    }
}
