using System.Security.Cryptography.X509Certificates;

namespace Berth.Proxy;

/// <summary>Picks the TLS certificate for a TLS handshake from the SNI server name.</summary>
public interface ICertificateSelector
{
    /// <summary>Returns the certificate (with private key) for a server name, or null to refuse the handshake.</summary>
    X509Certificate2? SelectCertificate(string? serverName);
}
