using Berth.Acme;

namespace Berth.Core.Certificates;

/// <summary>Where certificates come from and how often the certificate loop works. Set by <c>berth serve</c>.</summary>
public sealed class CertificatesOptions
{
    /// <summary>Let's Encrypt's production directory, the default CA.</summary>
    public static readonly Uri LetsEncrypt = new("https://acme-v02.api.letsencrypt.org/directory");

    /// <summary>
    /// The ACME directory of the certificate authority. Null orders nothing: domains stay
    /// <c>pending</c> (TLS terminated elsewhere, or tests that must not reach any CA).
    /// </summary>
    public Uri? Directory { get; set; } = LetsEncrypt;

    /// <summary>
    /// Set with a null <see cref="Directory"/> when <c>berth serve</c> chose it: no CA was named and the edge
    /// listens only on loopback addresses, which no CA can reach to check a challenge.
    /// </summary>
    public bool LoopbackOnly { get; set; }

    /// <summary>
    /// Why a wanted certificate stays <c>pending</c>, and how to change it, when nothing is ordered
    /// (<see cref="Directory"/> null); null when certificates are ordered. Shown by the API as the
    /// certificate's reason.
    /// </summary>
    public string? NotOrderedReason => Directory is not null ? null
        : LoopbackOnly
            ? "No certificate is ordered: the edge listens only on loopback addresses, which no certificate authority can reach. "
                + "To order certificates, put the edge on a public address (--edge-http, --edge-https) or name a CA with --acme-directory."
            : "No certificate is ordered: the server runs with --acme-directory none. Give it an ACME directory URL to order certificates.";

    /// <summary>The contact address given to the CA (expiry notices); none when null.</summary>
    public string? Email { get; set; }

    /// <summary>A PEM file with an extra root to trust on the CA's own HTTPS listener (a test CA such as Pebble).</summary>
    public string? TrustRootFile { get; set; }

    /// <summary>Where the Data Protection key ring lives: in the data root, outside every server's folder.</summary>
    public string KeyRingDirectory { get; set; } = "";

    /// <summary>The longest sleep of the loop when nothing is due and nothing changes.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The pause after the first failure of a name; doubled on each further failure.</summary>
    public TimeSpan InitialBackoff { get; set; } = RetryBackoff.DefaultInitial;

    /// <summary>The longest pause between failed attempts.</summary>
    public TimeSpan MaximumBackoff { get; set; } = RetryBackoff.DefaultMaximum;

    /// <summary>Limits and timings of the ACME client (its own order limit, nonce retries, polling).</summary>
    public AcmeClientOptions Acme { get; set; } = new();
}
