namespace Berth.Core.Certificates;

/// <summary>
/// A row of Berth's <c>Hosting_Certificates</c>: the ACME certificate of one domain name
/// (<c>ssl=1</c>, <c>isCloudflare=0</c>). The certificate work is its only writer.
/// </summary>
public sealed class HostingCertificate
{
    public long Id { get; set; }

    /// <summary>The domain name, lower case, as in <c>Hosting_DomainNames</c>.</summary>
    public string DomainName { get; set; } = "";

    /// <summary>One of <see cref="CertificateStatus"/>.</summary>
    public string Status { get; set; } = CertificateStatus.Pending;

    /// <summary>The certificate followed by its issuer chain, PEM; null until the first issuance.</summary>
    public string? CertificateChain { get; set; }

    /// <summary>The certificate's private key, protected with ASP.NET Core Data Protection (never plain PEM).</summary>
    public string? PrivateKey { get; set; }

    /// <summary>Seed text timestamp (UTC) of the start of the certificate's validity.</summary>
    public string? NotBefore { get; set; }

    /// <summary>Seed text timestamp (UTC) of the end of the certificate's validity.</summary>
    public string? ExpiresAt { get; set; }

    /// <summary>Why the latest attempt failed; null after a success.</summary>
    public string? LastError { get; set; }

    /// <summary>Consecutive failed attempts, for the backoff; 0 after a success.</summary>
    public int Attempts { get; set; }

    /// <summary>Seed text timestamp (UTC) before which no new attempt is made (set after a failure).</summary>
    public string? NextAttemptAt { get; set; }

    public string UpdatedAt { get; set; } = "";
}
