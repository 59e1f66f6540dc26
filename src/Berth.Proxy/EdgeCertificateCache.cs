using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Berth.Proxy;

/// <summary>
/// The default <see cref="ICertificateSelector"/>: certificates by host name in memory. A handshake costs
/// one dictionary lookup for an exact name, one more for a wildcard (<c>*.example.org</c>), then the
/// fallback certificate if one is set. The handshake context (certificate plus intermediates) is built
/// once when a certificate is set, never per handshake.
/// </summary>
public sealed class EdgeCertificateCache : ICertificateSelector
{
    private readonly ConcurrentDictionary<string, Entry> _exact = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Entry> _wildcard = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Entry>.AlternateLookup<ReadOnlySpan<char>> _wildcardLookup;
    private volatile Entry? _fallback;

    /// <summary>Creates an empty cache.</summary>
    public EdgeCertificateCache()
    {
        _wildcardLookup = _wildcard.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The certificate served when no name matches (or the client sent no SNI); null refuses those handshakes.</summary>
    public X509Certificate2? FallbackCertificate
    {
        get => _fallback?.Certificate;
        set => _fallback = value is null ? null : Entry.Create(value, null);
    }

    /// <summary>The number of names with a certificate.</summary>
    public int Count => _exact.Count + _wildcard.Count;

    /// <summary>Adds or replaces the certificate for a host name; <c>*.example.org</c> covers one label under example.org.</summary>
    /// <param name="host">The host name, or a wildcard.</param>
    /// <param name="certificate">The certificate with its private key.</param>
    /// <param name="intermediates">The issuer chain sent with the certificate (without the root); none when null.</param>
    public void Set(string host, X509Certificate2 certificate, X509Certificate2Collection? intermediates = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (!certificate.HasPrivateKey)
        {
            throw new ArgumentException("The certificate has no private key.", nameof(certificate));
        }

        var name = HostName.Normalize(host);
        var entry = Entry.Create(certificate, intermediates);
        if (name.StartsWith("*.", StringComparison.Ordinal))
        {
            _wildcard[name[2..]] = entry;
        }
        else
        {
            _exact[name] = entry;
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

    /// <summary>
    /// Removes the certificate for a host name only if it is still <paramref name="certificate"/>, so that
    /// one owner never removes what another put in place since.
    /// </summary>
    public bool Remove(string host, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var name = HostName.Normalize(host);
        var (map, key) = name.StartsWith("*.", StringComparison.Ordinal) ? (_wildcard, name[2..]) : (_exact, name);
        return map.TryGetValue(key, out var entry) && ReferenceEquals(entry.Certificate, certificate)
            && map.TryRemove(new KeyValuePair<string, Entry>(key, entry));
    }

    /// <summary>Whether a certificate is set for exactly this host name (wildcards and the fallback do not count).</summary>
    public bool Contains(string host) => _exact.ContainsKey(HostName.Normalize(host));

    /// <inheritdoc />
    public X509Certificate2? SelectCertificate(string? serverName) => Find(serverName)?.Certificate;

    /// <inheritdoc />
    public SslStreamCertificateContext? SelectContext(string? serverName) => Find(serverName)?.Context;

    private Entry? Find(string? serverName)
    {
        if (string.IsNullOrEmpty(serverName))
        {
            return _fallback;
        }

        if (_exact.TryGetValue(serverName, out var entry))
        {
            return entry;
        }

        var dot = serverName.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0 && _wildcardLookup.TryGetValue(serverName.AsSpan(dot + 1), out entry))
        {
            return entry;
        }

        return _fallback;
    }

    private sealed record Entry(X509Certificate2 Certificate, SslStreamCertificateContext Context)
    {
        // offline: the chain is what the caller gave; nothing is fetched during a handshake or here.
        public static Entry Create(X509Certificate2 certificate, X509Certificate2Collection? intermediates) =>
            new(certificate, SslStreamCertificateContext.Create(certificate, intermediates, offline: true));
    }
}
