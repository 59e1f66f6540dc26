using Berth.Core.Domains;

namespace Berth.Server.Api.Contracts;

/// <summary>
/// Body of adding a domain; <c>ssl</c>, <c>isCloudflare</c> and <c>originPulls</c> default to false.
/// <c>originPulls</c> (Cloudflare's Authenticated Origin Pulls: only connections presenting a client
/// certificate from the operator's CA bundle are served) needs <c>isCloudflare</c> and a platform whose
/// operator configured that bundle: otherwise 400 <c>ORIGIN_PULLS_NEED_CLOUDFLARE</c> or <c>ORIGIN_PULLS_UNAVAILABLE</c>.
/// <c>targetPort</c> (default 80): the port of the server the edge sends the name's traffic to, 1 to 65535
/// (otherwise 400 <c>TARGET_PORT_INVALID</c>).
/// </summary>
public sealed record AddDomainRequest(string? DomainName, bool? Ssl, bool? IsCloudflare, bool? OriginPulls, int? TargetPort);

/// <summary>
/// Body of editing a domain: a field left out (or null) keeps its current value, except that turning
/// <c>isCloudflare</c> off also turns <c>originPulls</c> off.
/// </summary>
public sealed record EditDomainRequest(string? DomainName, bool? Ssl, bool? IsCloudflare, bool? OriginPulls, int? TargetPort);

/// <summary>
/// A certificate's state: <c>none</c>, <c>pending</c>, <c>issued</c> or <c>failed</c>. Until
/// certificates are issued, a domain with <c>ssl</c> on reports <c>pending</c> and one without <c>none</c>.
/// </summary>
public sealed record CertificateResponse(string Status, DateTimeOffset? ExpiresAt, string? LastError);

/// <summary>
/// Whether the owner proved control of the name: <c>verified</c>, <c>pending</c> (no record found yet) or
/// <c>failed</c> (the record holds another token, or the lookup failed: <c>lastError</c> says which). Until
/// verified the domain has no route and no certificate. <c>record</c> is the TXT record's name and
/// <c>token</c> the value to put in it (this owner's, the same for all their names); both null for names
/// that need no proof (under the apps domain, or verification turned off). <c>checkedAt</c>: the last lookup.
/// </summary>
public sealed record VerificationResponse(string Status, string? Record, string? Token, DateTimeOffset? CheckedAt, string? LastError);

public sealed record DomainResponse(
    long Id, long ServerId, string DomainName, bool Ssl, bool IsCloudflare, bool OriginPulls, bool NeedsDns, CertificateResponse Certificate,
    VerificationResponse Verification, int TargetPort)
{
    public static DomainResponse From(DomainView view) => new(
        view.Id,
        view.ServerId,
        view.DomainName,
        view.Ssl,
        view.IsCloudflare,
        view.OriginPulls,
        view.NeedsDns,
        new CertificateResponse(view.Certificate.Status, view.Certificate.ExpiresAt, view.Certificate.LastError),
        new VerificationResponse(view.Verification.Status, view.Verification.Record, view.Verification.Token, view.Verification.CheckedAt, view.Verification.LastError),
        view.TargetPort);
}

public sealed record DomainValidationResponse(bool Valid, string? Code, string Message, string? Reason);
