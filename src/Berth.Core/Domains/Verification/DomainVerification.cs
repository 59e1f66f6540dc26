namespace Berth.Core.Domains.Verification;

/// <summary>
/// Berth's own row (<c>Hosting_DomainVerifications</c>) saying whether a domain's owner proved control of
/// its name. It holds the name it was made for: a row whose name is not the domain's current one (the
/// domain was renamed, or a database without foreign keys reused the id) counts as none, so a proof never
/// carries over to another name. A domain without a valid row is pending.
/// </summary>
public sealed class DomainVerification
{
    public long DomainId { get; set; }

    /// <summary>The name the proof was checked for.</summary>
    public string DomainName { get; set; } = "";

    /// <summary><see cref="VerificationStatus"/>: verified, pending or failed.</summary>
    public string Status { get; set; } = VerificationStatus.Pending;

    /// <summary>When the record was last looked up (seed time text), or null before the first look.</summary>
    public string? CheckedAt { get; set; }

    /// <summary>What the last look found, for the owner (never set when verified).</summary>
    public string? LastError { get; set; }
}

/// <summary>The states of a domain's proof of control.</summary>
public static class VerificationStatus
{
    /// <summary>The owner's token was found in the TXT record, or the name needs no proof (apps domain, verification off).</summary>
    public const string Verified = "verified";

    /// <summary>No <c>_berth-verify</c> record found yet.</summary>
    public const string Pending = "pending";

    /// <summary>The record exists but holds no token of this owner, or the lookup failed.</summary>
    public const string Failed = "failed";
}
