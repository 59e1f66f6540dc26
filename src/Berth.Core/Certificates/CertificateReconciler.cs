using Berth.Acme;
using Berth.Core.Data;
using Berth.Core.Domains;
using Berth.Core.Domains.Verification;
using Berth.Core.Hosting;
using Berth.Core.Servers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Berth.Core.Certificates;

/// <summary>
/// Keeps <c>Hosting_Certificates</c> and the edge's SNI cache equal to the domains that want an ACME
/// certificate (<c>ssl: true</c>, <c>isCloudflare: false</c>, server not deleted, control of the name proved). One loop, woken by
/// <see cref="CertificatesSignal"/> (a domain changed), at the moment the next name is due, and on a
/// timer. At start every stored certificate goes into the cache, so HTTPS survives a restart without
/// a new order. A name is ordered when it has no certificate, renewed once a third of its validity
/// remains, and after a failure tried again with exponential backoff; a failure keeps the certificate
/// that is served and records why. A name that no longer wants a certificate loses its row and its
/// cache entry. Names are ordered one at a time, which also keeps well inside the CA's limits.
/// </summary>
public sealed partial class CertificateReconciler(
    IDbContextFactory<BerthDbContext> contexts,
    AcmeAccounts accounts,
    IHttp01ChallengeStore challenges,
    ICertificateInstaller installer,
    PrivateKeyProtector keys,
    CertificatesSignal signal,
    EdgeRoutesSignal edgeRoutes,
    DomainVerifier verification,
    CertificatesOptions options,
    TimeProvider clock,
    ILogger<CertificateReconciler> logger) : ReconcileLoop(options.Interval, clock, signal)
{
    private const int MaxErrorLength = 1000;
    private static readonly TimeSpan ShortestSleep = TimeSpan.FromMilliseconds(200);
    private bool _loaded;
    private TimeSpan _sleep;

    /// <summary>Whether a domain is served with an ACME certificate.</summary>
    public static bool WantsCertificate(DomainName domain) => domain.Ssl && !domain.IsCloudflare;

    protected override async Task RunPassAsync(CancellationToken cancellationToken)
    {
        // A failed pass waits the whole interval.
        _sleep = options.Interval;
        if (!_loaded)
        {
            await LoadStoredAsync(cancellationToken);
            _loaded = true;
        }

        _sleep = await ReconcileOnceAsync(cancellationToken);
    }

    /// <summary>Until the next name is due (at most the interval), never a busy loop.</summary>
    protected override TimeSpan NextWait() => _sleep < ShortestSleep ? ShortestSleep : _sleep;

    protected override void OnPassFailed(Exception exception) => LogPassFailed(logger, exception);

    /// <summary>Puts every stored certificate into the edge's cache (at start: no order needed after a restart).</summary>
    public async Task LoadStoredAsync(CancellationToken cancellationToken)
    {
        List<HostingCertificate> stored;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            stored = await db.Certificates.AsNoTracking().Where(c => c.CertificateChain != null && c.PrivateKey != null).ToListAsync(cancellationToken);
        }

        var installed = 0;
        foreach (var row in stored)
        {
            try
            {
                installer.Install(row.DomainName, row.CertificateChain!, keys.Unprotect(row.PrivateKey!));
                installed++;
            }
            catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                // A key ring that was lost or replaced cannot open the key: the name is ordered again.
                LogStoredUnusable(logger, row.DomainName, e.Message);
            }
        }

        LogLoaded(logger, installed);
        if (installed > 0)
        {
            edgeRoutes.Request();
        }
    }

    /// <summary>One pass: adds and drops rows, orders what is due. Returns how long to sleep until the next due name.</summary>
    public async Task<TimeSpan> ReconcileOnceAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var wanted = (await (
                from domain in db.DomainNames
                join server in db.VirtualServers on domain.VirtualServerId equals server.Id
                where domain.Ssl && !domain.IsCloudflare && !server.Deleted && server.Id != VirtualServer.HostId
                select new
                {
                    domain.Name,
                    Verified = db.DomainVerifications.Any(v => v.DomainId == domain.Id && v.DomainName == domain.Name && v.Status == VerificationStatus.Verified),
                }).ToListAsync(cancellationToken))
            // No certificate for a name whose owner has not proved control: the CA would issue it to a squatter.
            .Where(d => verification.MayGoLive(d.Name, d.Verified))
            .Select(d => d.Name.Trim().ToLowerInvariant())
            .ToHashSet(StringComparer.Ordinal);
        var rows = await db.Certificates.OrderBy(c => c.Id).ToListAsync(cancellationToken);

        var dropped = rows.Where(row => !wanted.Contains(row.DomainName)).ToList();
        db.Certificates.RemoveRange(dropped);

        var now = Clock.GetUtcNow();
        var known = rows.Select(row => row.DomainName).ToHashSet(StringComparer.Ordinal);
        var added = wanted.Where(name => !known.Contains(name)).Order(StringComparer.Ordinal)
            .Select(name => new HostingCertificate { DomainName = name, Status = CertificateStatus.Pending, UpdatedAt = SeedTime.ToText(now) })
            .ToList();
        db.Certificates.AddRange(added);
        if (dropped.Count > 0 || added.Count > 0)
        {
            await db.SaveChangesAsync(cancellationToken);
        }

        if (dropped.Count > 0)
        {
            // Off the edge only once the rows are gone: whoever sees the edge without the certificate
            // finds no row either (and a failed save leaves both in place).
            foreach (var row in dropped)
            {
                installer.Remove(row.DomainName);
                LogDropped(logger, row.DomainName);
            }

            edgeRoutes.Request();
        }

        var live = rows.Except(dropped).Concat(added).ToList();
        if (options.Directory is null)
        {
            return options.Interval;
        }

        foreach (var row in live)
        {
            if (DueAt(row) <= Clock.GetUtcNow())
            {
                await AttemptAsync(db, row, cancellationToken);
            }
        }

        var next = live.Count == 0 ? DateTimeOffset.MaxValue : live.Min(DueAt);
        var untilNext = next - Clock.GetUtcNow();
        return untilNext < options.Interval ? untilNext : options.Interval;
    }

    /// <summary>
    /// When a row is next worth an order: after a failure not before its backoff ends; with a
    /// certificate, once a third of its validity remains; without one, now.
    /// </summary>
    private static DateTimeOffset DueAt(HostingCertificate row)
    {
        var due = DateTimeOffset.MinValue;
        if (row.CertificateChain is not null && row.NotBefore is { } notBefore && row.ExpiresAt is { } expiresAt
            && SeedTime.Parse(notBefore) is { } start && SeedTime.Parse(expiresAt) is { } end && end >= start)
        {
            due = CertificateRenewal.RenewAt(start, end);
        }

        if (row.NextAttemptAt is { } next && SeedTime.Parse(next) is { } backoffEnds && backoffEnds > due)
        {
            due = backoffEnds;
        }

        return due;
    }

    private async Task AttemptAsync(BerthDbContext db, HostingCertificate row, CancellationToken cancellationToken)
    {
        LogOrdering(logger, row.DomainName, row.CertificateChain is null ? "issue" : "renew", row.Attempts + 1);
        AcmeCertificate certificate;
        try
        {
            var client = await accounts.GetClientAsync(cancellationToken);
            certificate = await client.IssueCertificateAsync([row.DomainName], challenges, cancellationToken);
            // Served first, stored second: a failed save costs a new order at the next start, never a gap in HTTPS.
            // A certificate the edge cannot load counts as a failed attempt (with backoff), not a reason to order again at once.
            installer.Install(row.DomainName, certificate.ChainPem, certificate.PrivateKeyPem);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            var now = Clock.GetUtcNow();
            row.Attempts++;
            row.Status = CertificateStatus.Failed;
            row.LastError = Describe(e, options.Directory);
            row.NextAttemptAt = SeedTime.ToText(RetryBackoff.NextAttemptAt(
                now, row.Attempts, options.InitialBackoff, options.MaximumBackoff, (e as AcmeException)?.RetryAfter));
            row.UpdatedAt = SeedTime.ToText(now);
            await db.SaveChangesAsync(cancellationToken);
            LogFailed(logger, row.DomainName, row.Attempts, row.NextAttemptAt, row.LastError, Raw(e));
            return;
        }

        row.Status = CertificateStatus.Issued;
        row.CertificateChain = certificate.ChainPem;
        row.PrivateKey = keys.Protect(certificate.PrivateKeyPem);
        row.NotBefore = SeedTime.ToText(certificate.NotBefore);
        row.ExpiresAt = SeedTime.ToText(certificate.NotAfter);
        row.LastError = null;
        row.Attempts = 0;
        row.NextAttemptAt = null;
        row.UpdatedAt = SeedTime.Now(Clock);
        await db.SaveChangesAsync(cancellationToken);
        edgeRoutes.Request();
        LogIssued(logger, row.DomainName, certificate.NotAfter);
    }

    /// <summary>
    /// A failure as a sentence its reader can act on (the API and panel show it); the raw error goes to the
    /// log (<see cref="Raw"/>). The CA's own problem documents are already meant for people.
    /// </summary>
    internal static string Describe(Exception e, Uri? directory)
    {
        var ca = directory is null ? "The certificate authority" : $"The certificate authority at {directory.Host}";
        var text = e switch
        {
            AcmeException acme => acme.Identifier is { } name && acme.Detail?.Contains(name, StringComparison.OrdinalIgnoreCase) != true
                ? $"{acme.Message} ({name})"
                : acme.Message,
            HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } =>
                $"{ca} could not be found: its name does not resolve. Check the server's DNS and internet access, and --acme-directory.",
            HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } =>
                $"{ca} could not be reached securely: its TLS certificate was not accepted. Check --acme-directory (and --acme-trust-root for a test CA).",
            HttpRequestException => $"{ca} could not be reached: check the server's internet access and --acme-directory.",
            OperationCanceledException => $"{ca} did not answer in time: check the server's internet access and --acme-directory.",
            _ => e.Message,
        };
        return text.Length <= MaxErrorLength ? text : text[..MaxErrorLength];
    }

    /// <summary>The exception's type and messages down to the innermost one, for the log.</summary>
    private static string Raw(Exception e)
    {
        var parts = new List<string>();
        for (var current = e; current is not null; current = current.InnerException)
        {
            parts.Add($"{current.GetType().Name}: {current.Message}");
        }

        return string.Join(" ---> ", parts);
    }

    [LoggerMessage(EventId = 3301, Level = LogLevel.Warning, Message = "Certificate pass failed; retrying on the next pass")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3302, Level = LogLevel.Information, Message = "{Count} stored certificates loaded into the edge")]
    private static partial void LogLoaded(ILogger logger, int count);

    [LoggerMessage(EventId = 3303, Level = LogLevel.Warning, Message = "The stored certificate of {DomainName} cannot be used ({Reason}); it will be ordered again")]
    private static partial void LogStoredUnusable(ILogger logger, string domainName, string reason);

    [LoggerMessage(EventId = 3304, Level = LogLevel.Information, Message = "Certificate of {DomainName} dropped: the domain no longer wants one")]
    private static partial void LogDropped(ILogger logger, string domainName);

    [LoggerMessage(EventId = 3305, Level = LogLevel.Information, Message = "Ordering a certificate for {DomainName} ({Reason}, attempt {Attempt})")]
    private static partial void LogOrdering(ILogger logger, string domainName, string reason, int attempt);

    [LoggerMessage(EventId = 3306, Level = LogLevel.Information, Message = "Certificate of {DomainName} issued, valid until {NotAfter}")]
    private static partial void LogIssued(ILogger logger, string domainName, DateTimeOffset notAfter);

    [LoggerMessage(EventId = 3307, Level = LogLevel.Warning, Message = "Certificate of {DomainName} failed (attempt {Attempt}, next not before {NextAttemptAt}): {Error} [{Detail}]")]
    private static partial void LogFailed(ILogger logger, string domainName, int attempt, string? nextAttemptAt, string? error, string detail);
}
