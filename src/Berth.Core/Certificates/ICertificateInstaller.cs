namespace Berth.Core.Certificates;

/// <summary>Puts certificates where TLS handshakes find them (the edge's SNI cache), at once.</summary>
public interface ICertificateInstaller
{
    /// <summary>Serves <paramref name="chainPem"/> (certificate then intermediates) for <paramref name="domainName"/> from now on.</summary>
    void Install(string domainName, string chainPem, string privateKeyPem);

    /// <summary>Stops serving the certificate this installer put in place for <paramref name="domainName"/>.</summary>
    void Remove(string domainName);
}
