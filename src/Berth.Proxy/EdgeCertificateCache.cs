using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;

namespace Berth.Proxy;

/// <summary>
/// The default <see cref="ICertificateSelector"/>: certificates by host name in memory. A handshake costs
/// one dictionary lookup for an exact name, one more for a wildcard (<c>*.example.org</c>), then the
/// fallback certificate if one is set.
/// </summary>
public sealed class EdgeCertificateCache : ICertificateSelector
{
    private readonly ConcurrentDictionary<string, X509Certificate2> _exact = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, X509Certificate2> _wildcard = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, X509Certificate2>.AlternateLookup<ReadOnlySpan<char>> _wildcardLookup;

    /// <summary>Creates an empty cache.</summary>
    public EdgeCertificateCache()
    {
        _wildcardLookup = _wildcard.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The certificate served when no name matches (or the client sent no SNI); null refuses those handshakes.</summary>
    public X509Certificate2? FallbackCertificate { get; set; }

    /// <summary>The number of names with a certificate.</summary>
    public int Count => _exact.Count + _wildcard.Count;

    /// <summary>Adds or replaces the certificate for a host name; <c>*.example.org</c> covers one label under example.org.</summary>
    public void Set(string host, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (!certificate.HasPrivateKey)
        {
            throw new ArgumentException("The certificate has no private key.", nameof(certificate));
        }

        var name = HostName.Normalize(host);
        if (name.StartsWith("*.", StringComparison.Ordinal))
        {
            _wildcard[name[2..]] = certificate;
        }
        else
        {
            _exact[name] = certificate;
        }
    }

    /// <summary>Removes the certificate for a host name; returns false when there was none.</summary>
    public bool Remove(string host)
    {
        var name = HostName.Normalize(host);
        return name.StartsWith("*.", StringComparison.Ordinal)
            ? _wildcard.TryRemove(name[2..], out _)
            : _exact.TryRemove(name, out _);
    }

    /// <inheritdoc />
    public X509Certificate2? SelectCertificate(string? serverName)
    {
        if (string.IsNullOrEmpty(serverName))
        {
            return FallbackCertificate;
        }

        if (_exact.TryGetValue(serverName, out var certificate))
        {
            return certificate;
        }

        var dot = serverName.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0 && _wildcardLookup.TryGetValue(serverName.AsSpan(dot + 1), out certificate))
        {
            return certificate;
        }

        return FallbackCertificate;
    }
}
