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
}
