namespace Berth.Acme;

/// <summary>When a certificate is due for renewal: once less than a third of its validity period remains.</summary>
public static class CertificateRenewal
{
    /// <summary>The moment at which one third of the validity period remains (day 60 of a 90-day certificate).</summary>
    public static DateTimeOffset RenewAt(DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(notAfter, notBefore);
        return notAfter - ((notAfter - notBefore) / 3);
    }

    /// <summary>Whether the certificate should be renewed now.</summary>
    public static bool IsDue(DateTimeOffset notBefore, DateTimeOffset notAfter, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        return timeProvider.GetUtcNow() >= RenewAt(notBefore, notAfter);
    }
}
