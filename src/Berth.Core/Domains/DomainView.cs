namespace Berth.Core.Domains;

/// <summary>Where a domain's certificate stands: <c>none</c>, <c>pending</c>, <c>issued</c> or <c>failed</c>.</summary>
public sealed record CertificateState(string Status, DateTimeOffset? ExpiresAt, string? LastError)
{
    public static readonly CertificateState None = new("none", null, null);

    public static readonly CertificateState Pending = new("pending", null, null);
}

/// <summary>
/// A domain as its server's owner sees it. <c>OriginPulls</c>: Cloudflare's Authenticated Origin Pulls
/// required (see <see cref="DomainOptions.OriginPulls"/>); false whenever Cloudflare mode is off.
/// </summary>
/// <remarks>
/// <c>Verification</c>: whether the owner proved control of the name (names outside the apps domain go live only then).
/// <c>TargetPort</c>: the port of the server the edge sends the name's traffic to.
/// </remarks>
public sealed record DomainView(
    long Id, long ServerId, string DomainName, bool Ssl, bool IsCloudflare, bool OriginPulls, bool NeedsDns, CertificateState Certificate,
    Verification.VerificationState Verification, int TargetPort = DomainOptions.DefaultTargetPort);

/// <summary>The answer of a dry-run validation: <see cref="Code"/> is null when the name may be added.</summary>
public sealed record DomainValidation(bool Valid, string? Code, string Message, string? Reason = null);
