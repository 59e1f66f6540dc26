using System.Net.Security;

namespace Berth.Proxy;

/// <summary>
/// The certificate of a TLS handshake for a name the <see cref="ICertificateSelector"/> has none for
/// (an unknown name, a domain whose certificate is pending or failed, the bare address without SNI).
/// Without it the handshake fails inside Kestrel with a stack trace per attempt and the client sees a
/// reset connection; with it the client gets a certificate warning and, past it, the edge's own page
/// (<see cref="EdgeRequestHandler"/>), never a tenant's application.
/// </summary>
/// <remarks>
/// Made by the edge itself when its listeners are configured, so every host of the edge (the Berth
/// server, tests, the benchmark) has one without asking. Self-signed, regenerated at every start and
/// never stored: no client can trust it anyway, so there is no secret worth keeping. A host that sets
/// <see cref="EdgeCertificateCache.FallbackCertificate"/> serves its own instead.
/// </remarks>
internal static class FallbackCertificate
{
    /// <summary>The subject's common name and only DNS name: says whose certificate it is, matches no real name.</summary>
    public const string Name = "berth-fallback";

    /// <summary>Longer than any run between restarts; the key lives in memory only.</summary>
    public static readonly TimeSpan Validity = TimeSpan.FromDays(365);

    /// <summary>An ECDSA P-256 self-signed certificate with its handshake context.</summary>
    public static SslStreamCertificateContext Create(TimeProvider clock) =>
        SslStreamCertificateContext.Create(OriginCertificate.CreateSelfSigned([Name], clock, Validity), null, offline: true);
}

/// <summary>
/// Set on a TLS connection that was answered with the edge's <see cref="FallbackCertificate"/>: its requests
/// are not authenticated for any tenant's name, so none of them is forwarded.
/// </summary>
internal sealed class FallbackCertificateFeature
{
    public static readonly FallbackCertificateFeature Instance = new();

    private FallbackCertificateFeature()
    {
    }
}
