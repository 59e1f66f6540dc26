namespace Berth.Core.Domains;

/// <summary>
/// Berth's own per-domain row (<c>Hosting_DomainOptions</c>) for what the seed's
/// <c>Hosting_DomainNames</c> has no column for. A domain without a row has every option off and its traffic going to port 80; the row
/// goes with its domain (cascade).
/// </summary>
public sealed class DomainOptions
{
    public long DomainId { get; set; }

    /// <summary>
    /// Cloudflare's Authenticated Origin Pulls: the edge serves the domain only to TLS connections that
    /// present a client certificate from the operator's CA bundle. Only in Cloudflare mode.
    /// </summary>
    public bool OriginPulls { get; set; }

    /// <summary>The port of the server's address the edge sends the domain's traffic to (80 unless the owner names another).</summary>
    public int TargetPort { get; set; } = DefaultTargetPort;

    public const int DefaultTargetPort = 80;
}
