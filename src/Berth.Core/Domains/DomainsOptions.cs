namespace Berth.Core.Domains;

/// <summary>
/// The platform's own names. Both are reserved for the platform; a name of the form
/// <c>&lt;label&gt;.&lt;apps domain&gt;</c> belongs to the platform's wildcard and needs no DNS set-up.
/// The defaults suit development; <c>berth serve</c> options set them in production.
/// </summary>
public sealed class DomainsOptions
{
    /// <summary>The wildcard domain under which users get names without DNS set-up.</summary>
    public string AppsDomain { get; set; } = "apps.localhost";

    /// <summary>The host name of the panel and API.</summary>
    public string ControlHost { get; set; } = "localhost";

    /// <summary>
    /// Whether the operator configured the CA bundle of Cloudflare's Authenticated Origin Pulls; without
    /// it no domain may turn origin pulls on (the edge could not verify anything).
    /// </summary>
    public bool OriginPullsAvailable { get; set; }

    /// <summary>
    /// Whether a name outside the apps domain goes live only after its owner proves control with a
    /// <c>_berth-verify</c> TXT record (<c>--domain-verification on|off</c>). Off lets any tenant take any
    /// name that points here, with a certificate: for installations whose tenants all trust each other.
    /// </summary>
    public bool VerificationRequired { get; set; } = true;

    /// <summary>The DNS server for the TXT lookups (<c>--dns-resolver HOST:PORT</c>); null: the system's.</summary>
    public System.Net.IPEndPoint? DnsResolver { get; set; }

    /// <summary>How often the names still waiting for their proof are looked up again.</summary>
    public TimeSpan VerificationInterval { get; set; } = TimeSpan.FromMinutes(5);
}
