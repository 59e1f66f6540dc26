using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Berth.Proxy;

/// <summary>Picks the TLS certificate for a TLS handshake from the SNI server name.</summary>
public interface ICertificateSelector
{
    /// <summary>Returns the certificate (with private key) for a server name, or null to refuse the handshake.</summary>
    X509Certificate2? SelectCertificate(string? serverName);

    /// <summary>
    /// Returns the certificate with its issuer chain, as sent in the handshake, or null to refuse it.
    /// The edge's listeners use this one: a certificate from a public CA is only trusted by clients
    /// when its intermediates travel with it.
    /// </summary>
    SslStreamCertificateContext? SelectContext(string? serverName);
}
