using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Berth.Core.Certificates;
using Berth.Proxy;

namespace Berth.Server.Edge;

/// <summary>
/// Puts ACME certificates into the edge's SNI cache with their intermediates. It only ever removes a
/// certificate it installed, so a name that moved to Cloudflare mode keeps its origin certificate.
/// </summary>
internal sealed class EdgeCertificateInstaller(EdgeCertificateCache cache) : ICertificateInstaller
{
    private readonly ConcurrentDictionary<string, X509Certificate2> _installed = new(StringComparer.Ordinal);

    public void Install(string domainName, string chainPem, string privateKeyPem)
    {
        // CreateFromPem takes the first certificate of the chain: the end-entity one.
        var certificate = X509Certificate2.CreateFromPem(chainPem, privateKeyPem);
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(chainPem);
        var intermediates = new X509Certificate2Collection();
        foreach (var issuer in chain.Skip(1))
        {
            // A root is never sent: clients have it or they do not.
            if (issuer.SubjectName.RawData.AsSpan().SequenceEqual(issuer.IssuerName.RawData))
            {
                issuer.Dispose();
                continue;
            }

            intermediates.Add(issuer);
        }

        chain[0].Dispose();
        cache.Set(domainName, certificate, intermediates);
        _installed[domainName] = certificate;
    }

    public void Remove(string domainName)
    {
        if (_installed.TryRemove(domainName, out var certificate))
        {
            cache.Remove(domainName, certificate);
        }
    }
}
