namespace Berth.Proxy;

/// <summary>How the edge treats TLS for a route.</summary>
public enum EdgeTlsMode
{
    /// <summary>Plain HTTP only; no certificate is expected.</summary>
    Plain,

    /// <summary>
    /// A certificate from an ACME CA. Until it is issued the route is served over HTTP; once
    /// <see cref="EdgeRoute.CertificateIssued"/> is set, HTTP requests are redirected to HTTPS.
    /// </summary>
    Acme,

    /// <summary>
    /// Behind Cloudflare: only clients inside the configured Cloudflare ranges are served, the client
    /// address comes from <c>CF-Connecting-IP</c>, and TLS uses a self-signed origin certificate.
    /// </summary>
    CloudflareOrigin,
}

/// <summary>One host name published by the edge and the HTTP origin that serves it.</summary>
/// <param name="Host">The host name as clients send it (matched case-insensitively, without port).</param>
/// <param name="Destination">The origin, an absolute <c>http</c> or <c>https</c> URI such as <c>http://10.0.0.5:80/</c>.</param>
/// <param name="Mode">The TLS treatment of the host.</param>
/// <param name="CertificateIssued">
/// True when a certificate for the host is in the certificate cache; with <see cref="EdgeTlsMode.Acme"/>
/// plain HTTP requests are then redirected to HTTPS.
/// </param>
/// <param name="RequireClientCertificate">
/// True when only TLS connections that present a client certificate issued by one of
/// <see cref="EdgeOptions.ClientCertificateAuthorities"/> are served: the handshake asks for one and fails
/// without a valid one, and every other request for the host (plain HTTP, a connection made without the
/// host's name) gets 403. With no authority configured nothing is served: the route fails closed.
/// </param>
public sealed record EdgeRoute(
    string Host, Uri Destination, EdgeTlsMode Mode = EdgeTlsMode.Plain, bool CertificateIssued = false, bool RequireClientCertificate = false);
