using Berth.Core.Data;
using Berth.Core.Servers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Berth.Core.Domains.Verification;

/// <summary>What a domain's owner sees of its proof of control: the state and the TXT record to create.</summary>
public sealed record VerificationState(string Status, string? Record, string? Token, DateTimeOffset? CheckedAt, string? LastError);

/// <summary>
/// Decides whether a domain may go live (routes and certificates) and checks the proof for the names that
/// need one: a name outside the apps domain is live only once its owner's token is found in a TXT record
/// at <c>_berth-verify.&lt;name&gt;</c>. A proof holds for the name it was found for as long as the domain
/// keeps that name (it is not withdrawn when the record goes: a resolver outage must not take sites down).
/// </summary>
public sealed partial class DomainVerifier(
    IDbContextFactory<BerthDbContext> contexts,
    DomainsOptions options,
    IDnsTxtLookup dns,
    VerificationTokens tokens,
    IDomainChangeNotifier notifier,
    TimeProvider clock,
    ILogger<DomainVerifier> logger)
{
    public const string RecordPrefix = "_berth-verify.";

    /// <summary>Whether <paramref name="name"/> needs a proof: verification is on and the name is not under the apps domain.</summary>
    public bool NeedsProof(string name) => options.VerificationRequired && !DomainNameRules.Check(name, options).UnderAppsDomain;

    /// <summary>Whether a domain may have a route and a certificate, given whether a verified row exists for its current name.</summary>
    public bool MayGoLive(string name, bool verifiedRow) => verifiedRow || !NeedsProof(name);

    /// <summary>The states of <paramref name="domains"/> as their owners see them.</summary>
    public async Task<Dictionary<long, VerificationState>> StatesAsync(BerthDbContext db, IReadOnlyCollection<DomainName> domains, CancellationToken cancellationToken)
    {
        var ids = domains.Select(d => d.Id).ToList();
        var rows = await db.DomainVerifications.AsNoTracking().Where(v => ids.Contains(v.DomainId)).ToDictionaryAsync(v => v.DomainId, cancellationToken);
        var serverIds = domains.Select(d => d.VirtualServerId).Distinct().ToList();
        var owners = await db.VirtualServers.AsNoTracking().Where(s => serverIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.OwnerId, cancellationToken);
        var states = new Dictionary<long, VerificationState>();
        foreach (var domain in domains)
        {
            if (!NeedsProof(domain.Name))
            {
                states[domain.Id] = new VerificationState(VerificationStatus.Verified, null, null, null, null);
                continue;
            }

            var row = rows.GetValueOrDefault(domain.Id) is { } r && r.DomainName == domain.Name ? r : null;
            var token = owners.TryGetValue(domain.VirtualServerId, out var owner) ? await tokens.TokenForAsync(owner, cancellationToken) : null;
            states[domain.Id] = new VerificationState(
                row?.Status ?? VerificationStatus.Pending,
                RecordPrefix + domain.Name,
                token,
                row?.CheckedAt is { } at ? SeedTime.Parse(at) : null,
                row?.Status == VerificationStatus.Verified ? null : row?.LastError);
        }

        return states;
    }

    /// <summary>
    /// Looks the record up now for one domain (unless it needs no proof or has one) and stores what was found.
    /// Returns whether the domain went from not live to live.
    /// </summary>
    public async Task<bool> CheckAsync(long domainId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var domain = await db.DomainNames.AsNoTracking().FirstOrDefaultAsync(d => d.Id == domainId, cancellationToken);
        if (domain is null || !NeedsProof(domain.Name))
        {
            return false;
        }

        var row = await db.DomainVerifications.FirstOrDefaultAsync(v => v.DomainId == domainId, cancellationToken);
        if (row is { Status: VerificationStatus.Verified } && row.DomainName == domain.Name)
        {
            return false;
        }

        var owner = await db.VirtualServers.AsNoTracking().Where(s => s.Id == domain.VirtualServerId && !s.Deleted && s.Id != VirtualServer.HostId)
            .Select(s => (long?)s.OwnerId).FirstOrDefaultAsync(cancellationToken);
        if (owner is null)
        {
            return false;
        }

        var token = await tokens.TokenForAsync(owner.Value, cancellationToken);
        var record = RecordPrefix + domain.Name;
        var answer = await dns.LookupAsync(record, cancellationToken);
        var (status, error) = answer switch
        {
            { Failure: { } failure } => (VerificationStatus.Failed, failure),
            { Texts.Count: 0 } => (VerificationStatus.Pending, $"No TXT record {record} found yet."),
            _ when answer.Texts.Any(t => string.Equals(t.Trim(), token, StringComparison.Ordinal)) => (VerificationStatus.Verified, (string?)null),
            _ => (VerificationStatus.Failed, $"The TXT record {record} does not hold this account's token."),
        };

        if (row is null)
        {
            row = new DomainVerification { DomainId = domainId };
            db.DomainVerifications.Add(row);
        }

        row.DomainName = domain.Name;
        row.Status = status;
        row.CheckedAt = SeedTime.Now(clock);
        row.LastError = error;
        await db.SaveChangesAsync(cancellationToken);
        if (status != VerificationStatus.Verified)
        {
            return false;
        }

        LogVerified(logger, domain.Name, domain.VirtualServerId);
        notifier.NotifyCommitted(new DomainChange(DomainChangeKind.Edited, domain.Id, domain.VirtualServerId, domain.Name, null), logger);
        return true;
    }

    /// <summary>The domains of live servers that need a proof and have none for their current name, oldest first.</summary>
    public async Task<List<long>> UnprovenAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var candidates = await (
            from domain in db.DomainNames
            join server in db.VirtualServers on domain.VirtualServerId equals server.Id
            where !server.Deleted && server.Id != VirtualServer.HostId
                && !db.DomainVerifications.Any(v => v.DomainId == domain.Id && v.DomainName == domain.Name && v.Status == VerificationStatus.Verified)
            orderby domain.Id
            select new { domain.Id, domain.Name }).ToListAsync(cancellationToken);
        return candidates.Where(d => NeedsProof(d.Name)).Select(d => d.Id).ToList();
    }

    [LoggerMessage(EventId = 3110, Level = LogLevel.Information, Message = "Domain {DomainName} of virtual server #{ServerId} verified by its TXT record")]
    private static partial void LogVerified(ILogger logger, string domainName, long serverId);
}
