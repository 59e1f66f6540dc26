namespace Berth.Core.Certificates;

/// <summary>The certificate states the API shows: <c>none | pending | issued | failed</c>.</summary>
public static class CertificateStatus
{
    /// <summary>No ACME certificate is wanted (<c>ssl=0</c>, or Cloudflare mode).</summary>
    public const string None = "none";

    /// <summary>Wanted, not issued yet.</summary>
    public const string Pending = "pending";

    public const string Issued = "issued";

    /// <summary>The latest attempt failed; a certificate issued before, if any, is still served.</summary>
    public const string Failed = "failed";
}
