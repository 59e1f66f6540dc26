namespace Berth.Server.Hosting;

/// <summary>Settings of the edge (the public HTTP/HTTPS entry for tenants' domain names) in <c>berth serve</c>.</summary>
public sealed record EdgeSettings
{
    public const string DefaultHttpUrls = "http://127.0.0.1:8081";
    public const string DefaultHttpsUrls = "https://127.0.0.1:8443";
    public const string DefaultAcmeDirectory = "https://acme-v02.api.letsencrypt.org/directory";

    /// <summary>The edge's own defaults for the limits (documented on <see cref="Berth.Proxy.EdgeOptions"/>).</summary>
    internal static readonly Berth.Proxy.EdgeOptions Defaults = new();

    /// <summary>Plain HTTP listeners (<c>--edge-http</c>), one or more separated by <c>;</c>.</summary>
    public IReadOnlyList<string> HttpUrls { get; init; } = [DefaultHttpUrls];

    /// <summary>HTTPS listeners (<c>--edge-https</c>), one or more separated by <c>;</c>.</summary>
    public IReadOnlyList<string> HttpsUrls { get; init; } = [DefaultHttpsUrls];

    /// <summary>The domain under which <c>&lt;label&gt;.&lt;apps domain&gt;</c> names need no DNS of their own (<c>--apps-domain</c>).</summary>
    public string? AppsDomain { get; init; }

    /// <summary>The host name of the panel and API (<c>--control-host</c>); reserved, never a tenant's domain.</summary>
    public string? ControlHost { get; init; }

    /// <summary>Whether names outside the apps domain need their owner's <c>_berth-verify</c> TXT record before going live (<c>--domain-verification</c>).</summary>
    public bool DomainVerification { get; init; } = true;

    /// <summary>The DNS server for the verification lookups (<c>--dns-resolver</c>); null: the system's.</summary>
    public System.Net.IPEndPoint? DnsResolver { get; init; }

    /// <summary>Cloudflare's address ranges (from <c>--cloudflare-ranges</c> or the published list shipped with Berth).</summary>
    public IReadOnlyList<string> CloudflareRanges { get; init; } = EdgeFeature.PublishedCloudflareRanges();

    /// <summary>
    /// The CA certificates of Cloudflare's Authenticated Origin Pulls (<c>--cloudflare-origin-pull-ca</c>):
    /// domains with origin pulls on are served only to connections presenting a client certificate they
    /// issued. Null: no domain may turn origin pulls on.
    /// </summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2Collection? OriginPullAuthorities { get; init; }

    /// <summary>The ACME directory of the certificate authority (<c>--acme-directory</c>); null (<c>none</c>) orders nothing.</summary>
    public Uri? AcmeDirectory { get; init; } = new(DefaultAcmeDirectory);

    /// <summary>
    /// True when no <c>--acme-directory</c> was given and every edge listener is on a loopback address (a
    /// local install): <see cref="AcmeDirectory"/> is then null, since no CA could reach the edge to check a
    /// challenge and every order would fail.
    /// </summary>
    public bool AcmeOffOnLoopback { get; init; }

    /// <summary>The contact address given to the certificate authority (<c>--acme-email</c>).</summary>
    public string? AcmeEmail { get; init; }

    /// <summary>A PEM file with an extra root to trust when talking to the ACME server (<c>--acme-trust-root</c>), e.g. Pebble's.</summary>
    public string? AcmeTrustRoot { get; init; }

    /// <summary>How long the certificate loop sleeps at most when nothing is due (a domain change wakes it at once).</summary>
    public TimeSpan CertificatesInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The pause after a name's first failed order, doubled on each further failure (at most a day).</summary>
    public TimeSpan CertificateBackoff { get; init; } = Berth.Acme.RetryBackoff.DefaultInitial;

    /// <summary>Limits and timings of the ACME client; the defaults when null.</summary>
    public Berth.Acme.AcmeClientOptions? AcmeClient { get; init; }

    /// <summary>The most client connections open at once over all the edge's listeners (<c>--edge-max-connections</c>); null: no limit.</summary>
    public long? MaxConnections { get; init; } = Defaults.MaxConcurrentConnections;

    /// <summary>The most connections open at once from one client address (<c>--edge-max-connections-per-client</c>); null: no limit.</summary>
    public int? MaxConnectionsPerClient { get; init; } = Defaults.MaxConnectionsPerClient;

    /// <summary>The most connections open at once to one virtual server (<c>--edge-max-origin-connections</c>).</summary>
    public int MaxOriginConnections { get; init; } = Defaults.MaxConnectionsPerOrigin;

    /// <summary>The largest request body in bytes (<c>--edge-max-body-size</c>); null: no limit.</summary>
    public long? MaxRequestBodySize { get; init; } = Defaults.MaxRequestBodySize;

    /// <summary>How often routes are rebuilt without being asked (a signalled change applies at once).</summary>
    public TimeSpan RoutesInterval { get; init; } = TimeSpan.FromSeconds(5);
}
