using System.Security.Cryptography.X509Certificates;

namespace Berth.Proxy;

/// <summary>Settings of the edge. Bound from the <c>Edge</c> configuration section by hosts that use configuration.</summary>
public sealed class EdgeOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Edge";

    /// <summary>Plain HTTP listeners, e.g. <c>http://0.0.0.0:80</c>; port 0 picks a free port.</summary>
    public IList<string> HttpUrls { get; } = ["http://127.0.0.1:8080"];

    /// <summary>HTTPS listeners, e.g. <c>https://0.0.0.0:443</c>; certificates come from the <see cref="ICertificateSelector"/>.</summary>
    public IList<string> HttpsUrls { get; } = ["https://127.0.0.1:8443"];

    /// <summary>The port written into HTTP→HTTPS redirects; null means the default port 443.</summary>
    public int? HttpsRedirectPort { get; set; }

    /// <summary>
    /// Cloudflare's address ranges in CIDR notation (e.g. <c>173.245.48.0/20</c>). Hosts in
    /// <see cref="EdgeTlsMode.CloudflareOrigin"/> only serve peers inside them, and <c>CF-Connecting-IP</c>
    /// is believed only from them.
    /// </summary>
    public IList<string> CloudflareRanges { get; } = [];

    /// <summary>
    /// The certificate authorities (trusted as roots, nothing else) whose client certificates open routes
    /// with <see cref="EdgeRoute.RequireClientCertificate"/>, e.g. the CA of Cloudflare's Authenticated
    /// Origin Pulls. Empty: such routes serve nobody.
    /// </summary>
    public X509Certificate2Collection ClientCertificateAuthorities { get; } = [];

    /// <summary>How long connecting to an origin may take before the client gets a 502 page.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an origin may stay silent (no response headers, no body data) before the request fails.</summary>
    public TimeSpan ActivityTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// How long a client may take to send the request headers (slow clients are cut off), and how long a
    /// new connection may stay silent before its first request (after the TLS handshake on HTTPS).
    /// </summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a client connection is kept open idle between two requests (not before its first: <see cref="RequestHeadersTimeout"/>).</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>The largest total size of request headers, in bytes.</summary>
    public int MaxRequestHeadersTotalSize { get; set; } = 32 * 1024;

    /// <summary>The largest number of request headers.</summary>
    public int MaxRequestHeaderCount { get; set; } = 100;

    /// <summary>
    /// The largest request body in bytes (413 beyond it); null for no limit. Default 1 GiB: the edge streams
    /// bodies to the origin without buffering them, so the limit costs no memory and only stops an endless
    /// upload; uploads of a few hundred MB (videos, backups, archives) are normal on a hosting platform, and
    /// nginx's 1 MB default is the limit its users most often have to find and raise. Applications keep their own.
    /// </summary>
    public long? MaxRequestBodySize { get; set; } = 1024L * 1024 * 1024;

    /// <summary>How long a client may take for its TLS handshake before the connection is cut.</summary>
    public TimeSpan TlsHandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether plain <c>GET</c> and <c>HEAD</c> requests on the HTTP listeners take the edge's own
    /// HTTP/1.1 lane (faster; every other request goes through Kestrel either way). False sends every
    /// request through Kestrel. Takes effect only with <see cref="OwnOriginClient"/>.
    /// </summary>
    public bool PlainLane { get; set; } = true;

    /// <summary>
    /// Whether the common plain-HTTP request is forwarded by the edge's own HTTP/1.1 origin client
    /// (<c>Origins/</c>). False sends every request through YARP's forwarder and <c>SocketsHttpHandler</c>,
    /// and also turns the plain lane off (the lane forwards through the same origin client). It exists to
    /// measure the hand-written part against the platform's (<c>bench/edge.sh</c>); production leaves it on.
    /// </summary>
    public bool OwnOriginClient { get; set; } = true;

    /// <summary>
    /// The most client connections open at once over all the edge's listeners; a connection beyond it is
    /// closed at once, before TLS. Null for no limit. Default 10,000: each proxied connection holds two
    /// descriptors (client and origin) and some 10–100 KB of buffers, so this bounds the edge at about a GB
    /// and well inside the descriptor limit .NET raises to at start (the hard limit, 524,288 under systemd).
    /// </summary>
    public long? MaxConcurrentConnections { get; set; } = 10_000;

    /// <summary>
    /// The most connections open at once from one client address; a connection beyond it is closed at once.
    /// Null for no limit. Addresses in <see cref="CloudflareRanges"/> are not counted (every visitor of a
    /// Cloudflare name arrives from them). Default 256: a browser opens at most 6 connections per name
    /// (one with HTTP/2), so this is some 40 busy browsers behind one address (an office, carrier NAT)
    /// while one client alone cannot hold more than a fortieth of <see cref="MaxConcurrentConnections"/>.
    /// </summary>
    public int? MaxConnectionsPerClient { get; set; } = 256;

    /// <summary>
    /// The most connections open at once to one origin address by the edge's own origin client (the
    /// common plain-HTTP request). A request that finds them all busy waits for one to come free for at
    /// most <see cref="ConnectTimeout"/>, then gets a 503 page: one tenant's slow application cannot take
    /// every descriptor of the edge. Default 512: far more concurrent requests than one virtual server
    /// usually serves, a small share of <see cref="MaxConcurrentConnections"/>.
    /// </summary>
    public int MaxConnectionsPerOrigin { get; set; } = 512;
}
