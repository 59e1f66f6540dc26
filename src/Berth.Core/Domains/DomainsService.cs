using Berth.Core.Activity;
using Berth.Core.Data;
using Berth.Core.Errors;
using Berth.Core.Servers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Berth.Core.Domains;

/// <summary>
/// The domain use cases, always scoped by a server the caller may see (its owner, or an admin)
/// and, for one domain, by that server as well: another user's server answers exactly like a
/// missing one, another server's domain exactly like a missing domain. Names are unique across
/// the platform; a clash is a 400 <c>DOMAIN_TAKEN</c>, also when two requests race for one name.
/// </summary>
public sealed class DomainsService(
    BerthDbContext db,
    DomainsOptions options,
    IDomainCertificates certificates,
    IDomainChangeNotifier notifier,
    Verification.DomainVerifier verifier,
    ActivityLog activity,
    ILogger<DomainsService> logger)
{
    public const string TakenCode = "DOMAIN_TAKEN";

    /// <summary>Origin pulls asked for a domain that is not in Cloudflare mode.</summary>
    public const string OriginPullsNeedCloudflareCode = "ORIGIN_PULLS_NEED_CLOUDFLARE";

    /// <summary>Origin pulls turned on while the operator configured no CA bundle to check them with.</summary>
    public const string OriginPullsUnavailableCode = "ORIGIN_PULLS_UNAVAILABLE";

    /// <summary>The target port is not a TCP port number (1 to 65535).</summary>
    public const string TargetPortInvalidCode = "TARGET_PORT_INVALID";

    private static readonly BerthException ServerNotFound = BerthException.NotFound("SERVER_NOT_FOUND", "No such server.");
    private static readonly BerthException DomainNotFound = BerthException.NotFound("DOMAIN_NOT_FOUND", "No such domain on this server.");

    public async Task<List<DomainView>> ListAsync(long actorId, bool isAdmin, long serverId, CancellationToken cancellationToken)
    {
        await FindVisibleServerAsync(actorId, isAdmin, serverId, cancellationToken);
        var domains = await db.DomainNames.AsNoTracking().Where(d => d.VirtualServerId == serverId).OrderBy(d => d.Id).ToListAsync(cancellationToken);
        return await ViewsAsync(domains, cancellationToken);
    }

    public async Task<DomainView> GetAsync(long actorId, bool isAdmin, long serverId, long domainId, CancellationToken cancellationToken)
    {
        await FindVisibleServerAsync(actorId, isAdmin, serverId, cancellationToken);
        var domain = await FindDomainAsync(serverId, domainId, cancellationToken);
        return (await ViewsAsync([domain], cancellationToken)).Single();
    }

    /// <summary>Dry run of adding <paramref name="name"/> (to <paramref name="serverId"/>, which must then be visible to the caller).</summary>
    public async Task<DomainValidation> ValidateAsync(long actorId, bool isAdmin, string? name, long? serverId, CancellationToken cancellationToken)
    {
        if (serverId is { } id)
        {
            await FindVisibleServerAsync(actorId, isAdmin, id, cancellationToken);
        }

        var check = DomainNameRules.Check(name, options);
        if (!check.Valid)
        {
            return new DomainValidation(false, check.Code, check.Message, check.Reason);
        }

        var holder = await HolderOfAsync(check.Name, cancellationToken);
        if (holder is not null && holder.Live)
        {
            return new DomainValidation(false, TakenCode, TakenMessage(check.Name));
        }

        return new DomainValidation(true, null, check.Message);
    }

    public async Task<DomainView> AddAsync(
        long actorId, bool isAdmin, long serverId, string? name, bool ssl, bool isCloudflare, bool originPulls, int targetPort, CancellationToken cancellationToken)
    {
        var check = Checked(name);
        CheckTargetPort(targetPort);
        var domain = await WriteAsync(check.Name, async ct =>
        {
            await FindVisibleServerAsync(actorId, isAdmin, serverId, ct);
            CheckOriginPulls(originPulls, isCloudflare, turningOn: originPulls);
            await ClaimAsync(check.Name, exceptId: null, ct);
            var added = new DomainName { VirtualServerId = serverId, Name = check.Name, Ssl = ssl, IsCloudflare = isCloudflare };
            db.DomainNames.Add(added);
            activity.Add(db, actorId, $"Domain name \"{check.Name}\" added to virtual server #{serverId}{(originPulls ? " (origin pulls on)" : "")}");
            await db.SaveChangesAsync(ct);
            // Also when off: a row a database without foreign keys left behind under a reused id goes.
            await SetOptionsAsync(added.Id, originPulls, targetPort, ct);
            await ForgetVerificationAsync(added.Id, ct);
            await db.SaveChangesAsync(ct);
            return added;
        }, cancellationToken);

        Notify(new DomainChange(DomainChangeKind.Added, domain.Id, serverId, domain.Name, null));
        // Checked when added: an owner who created the record first sees the name verified at once.
        await verifier.CheckAsync(domain.Id, cancellationToken);
        return (await ViewsAsync([domain], cancellationToken)).Single();
    }

    /// <summary>
    /// Changes the fields given (a null keeps the current value). Turning Cloudflare mode off turns
    /// origin pulls off too, unless the request asks for them (then it is refused).
    /// </summary>
    public async Task<DomainView> EditAsync(
        long actorId, bool isAdmin, long serverId, long domainId, string? name, bool? ssl, bool? isCloudflare, bool? originPulls, int? targetPort,
        CancellationToken cancellationToken)
    {
        var check = name is null ? null : Checked(name);
        if (targetPort is { } port)
        {
            CheckTargetPort(port);
        }

        string? previous = null;
        var domain = await WriteAsync(check?.Name, async ct =>
        {
            await FindVisibleServerAsync(actorId, isAdmin, serverId, ct);
            var edited = await FindDomainAsync(serverId, domainId, ct);
            previous = edited.Name;
            var changes = new List<string>();
            if (check is not null && check.Name != edited.Name)
            {
                await ClaimAsync(check.Name, exceptId: edited.Id, ct);
                changes.Add($"renamed to \"{check.Name}\"");
                edited.Name = check.Name;
            }

            if (ssl is { } s && s != edited.Ssl)
            {
                changes.Add($"SSL {(s ? "on" : "off")}");
                edited.Ssl = s;
            }

            if (isCloudflare is { } cf && cf != edited.IsCloudflare)
            {
                changes.Add($"Cloudflare {(cf ? "on" : "off")}");
                edited.IsCloudflare = cf;
            }

            var optionsNow = await OptionsOfAsync(edited.Id, ct);
            var pullsNow = optionsNow.OriginPulls;
            var pulls = originPulls ?? (pullsNow && edited.IsCloudflare);
            var portNow = optionsNow.TargetPort;
            var port = targetPort ?? portNow;
            // Availability is checked only when turning on: a domain whose CA the operator removed can
            // still be edited (the edge refuses it until origin pulls are turned off).
            CheckOriginPulls(pulls, edited.IsCloudflare, turningOn: pulls && !pullsNow);
            if (pulls != pullsNow)
            {
                changes.Add($"origin pulls {(pulls ? "on" : "off")}");
            }

            if (port != portNow)
            {
                changes.Add($"target port {port}");
            }

            if (pulls != pullsNow || port != portNow)
            {
                await SetOptionsAsync(edited.Id, pulls, port, ct);
            }

            if (changes.Count > 0)
            {
                activity.Add(db, actorId, $"Domain name \"{previous}\" of virtual server #{serverId} edited ({string.Join(", ", changes)})");
                await db.SaveChangesAsync(ct);
            }

            return (edited, changed: changes.Count > 0);
        }, cancellationToken);

        if (domain.changed)
        {
            Notify(new DomainChange(DomainChangeKind.Edited, domain.edited.Id, serverId, domain.edited.Name, previous != domain.edited.Name ? previous : null));
        }

        if (previous != domain.edited.Name)
        {
            // A proof holds for the name it was found for; a new name needs its own.
            await verifier.CheckAsync(domain.edited.Id, cancellationToken);
        }

        return (await ViewsAsync([domain.edited], cancellationToken)).Single();
    }

    /// <summary>Looks the domain's <c>_berth-verify</c> record up now (the panel's "check now"); answers the domain as it then stands.</summary>
    public async Task<DomainView> VerifyAsync(long actorId, bool isAdmin, long serverId, long domainId, CancellationToken cancellationToken)
    {
        await FindVisibleServerAsync(actorId, isAdmin, serverId, cancellationToken);
        var domain = await FindDomainAsync(serverId, domainId, cancellationToken);
        await verifier.CheckAsync(domain.Id, cancellationToken);
        var view = (await ViewsAsync([domain], cancellationToken)).Single();
        // A check may put the name live (routes, a certificate): the log says who asked and what was found.
        activity.Add(db, actorId, $"Domain name \"{domain.Name}\" of virtual server #{serverId} checked: {view.Verification.Status}");
        await db.SaveChangesAsync(CancellationToken.None);
        return view;
    }

    public async Task DeleteAsync(long actorId, bool isAdmin, long serverId, long domainId, CancellationToken cancellationToken)
    {
        var removed = await db.InWriteTransactionAsync(async ct =>
        {
            await FindVisibleServerAsync(actorId, isAdmin, serverId, ct);
            var domain = await FindDomainAsync(serverId, domainId, ct);
            await SetOptionsAsync(domain.Id, false, DomainOptions.DefaultTargetPort, ct);
            await ForgetVerificationAsync(domain.Id, ct);
            db.DomainNames.Remove(domain);
            activity.Add(db, actorId, $"Domain name \"{domain.Name}\" removed from virtual server #{serverId}");
            await db.SaveChangesAsync(ct);
            return domain;
        }, cancellationToken);

        Notify(new DomainChange(DomainChangeKind.Removed, removed.Id, serverId, removed.Name, null));
    }

    private DomainNameCheck Checked(string? name)
    {
        var check = DomainNameRules.Check(name, options);
        return check.Valid ? check : throw new BerthException(ErrorKind.Invalid, check.Code!, check.Message) { Reason = check.Reason };
    }

    /// <summary>
    /// Runs a write as one transaction. The database's unique index has the last word on names:
    /// a request that lost a race to another writer gets <c>DOMAIN_TAKEN</c>, never a 500.
    /// </summary>
    private async Task<T> WriteAsync<T>(string? name, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        try
        {
            return await db.InWriteTransactionAsync(work, cancellationToken);
        }
        catch (DbUpdateException) when (name is not null)
        {
            if (await NameExistsAsync(name, cancellationToken))
            {
                throw BerthException.Invalid(TakenCode, TakenMessage(name));
            }

            throw;
        }
    }

    /// <summary>
    /// Refuses a name a live server holds. A row left behind by a deleted server (e.g. in an
    /// adopted database) holds nothing: it is removed, so the name is free again.
    /// </summary>
    private async Task ClaimAsync(string name, long? exceptId, CancellationToken cancellationToken)
    {
        var holder = await HolderOfAsync(name, cancellationToken);
        if (holder is null || holder.Domain.Id == exceptId)
        {
            return;
        }

        if (holder.Live)
        {
            throw BerthException.Invalid(TakenCode, TakenMessage(name));
        }

        await SetOptionsAsync(holder.Domain.Id, false, DomainOptions.DefaultTargetPort, cancellationToken);
        await ForgetVerificationAsync(holder.Domain.Id, cancellationToken);
        db.DomainNames.Remove(holder.Domain);
        await db.SaveChangesAsync(cancellationToken);
    }

    private void CheckOriginPulls(bool originPulls, bool isCloudflare, bool turningOn)
    {
        if (!originPulls)
        {
            return;
        }

        if (!isCloudflare)
        {
            throw BerthException.Invalid(
                OriginPullsNeedCloudflareCode, "Origin pulls work only in Cloudflare mode: turn Cloudflare on for this domain, or leave origin pulls off.");
        }

        if (turningOn && !options.OriginPullsAvailable)
        {
            throw BerthException.Invalid(
                OriginPullsUnavailableCode, "Origin pulls are not available on this platform: the operator has configured no origin pull CA (--cloudflare-origin-pull-ca).");
        }
    }

    /// <summary>A port of the server the edge can send traffic to: 1 to 65535 (what a TCP port can be).</summary>
    private static void CheckTargetPort(int targetPort)
    {
        if (targetPort is < 1 or > 65535)
        {
            throw BerthException.Invalid(TargetPortInvalidCode, "targetPort must be a port number from 1 to 65535.");
        }
    }

    private async Task<(bool OriginPulls, int TargetPort)> OptionsOfAsync(long domainId, CancellationToken cancellationToken) =>
        await db.DomainOptions.AsNoTracking().Where(o => o.DomainId == domainId).Select(o => new { o.OriginPulls, o.TargetPort }).FirstOrDefaultAsync(cancellationToken) is { } row
            ? (row.OriginPulls, row.TargetPort)
            : (false, DomainOptions.DefaultTargetPort);

    /// <summary>Writes the options; a domain with every option at its default has no row.</summary>
    private async Task SetOptionsAsync(long domainId, bool originPulls, int targetPort, CancellationToken cancellationToken)
    {
        var row = await db.DomainOptions.FirstOrDefaultAsync(o => o.DomainId == domainId, cancellationToken);
        if (!originPulls && targetPort == DomainOptions.DefaultTargetPort)
        {
            if (row is not null)
            {
                db.DomainOptions.Remove(row);
            }

            return;
        }

        if (row is null)
        {
            db.DomainOptions.Add(new DomainOptions { DomainId = domainId, OriginPulls = originPulls, TargetPort = targetPort });
        }
        else
        {
            row.OriginPulls = originPulls;
            row.TargetPort = targetPort;
        }
    }

    /// <summary>
    /// Drops a verification row with the domain: also on a database without foreign keys, where a row left
    /// behind under a reused id must not verify another owner's domain.
    /// </summary>
    private async Task ForgetVerificationAsync(long domainId, CancellationToken cancellationToken)
    {
        if (await db.DomainVerifications.FirstOrDefaultAsync(v => v.DomainId == domainId, cancellationToken) is { } row)
        {
            db.DomainVerifications.Remove(row);
        }
    }

    private sealed record Holder(DomainName Domain, bool Live);

    private async Task<Holder?> HolderOfAsync(string name, CancellationToken cancellationToken)
    {
        var domain = await db.DomainNames.FirstOrDefaultAsync(d => d.Name == name, cancellationToken);
        if (domain is null)
        {
            return null;
        }

        var live = await db.VirtualServers.AnyAsync(s => s.Id == domain.VirtualServerId && !s.Deleted, cancellationToken);
        return new Holder(domain, live);
    }

    private async Task<bool> NameExistsAsync(string name, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        return await db.DomainNames.AnyAsync(d => d.Name == name, cancellationToken);
    }

    private static string TakenMessage(string name) => $"\"{name}\" is already used on this platform.";

    private async Task FindVisibleServerAsync(long actorId, bool isAdmin, long serverId, CancellationToken cancellationToken)
    {
        if (serverId == VirtualServer.HostId)
        {
            throw ServerNotFound;
        }

        var owner = await db.VirtualServers.Where(s => s.Id == serverId && !s.Deleted).Select(s => (long?)s.OwnerId).FirstOrDefaultAsync(cancellationToken);
        if (owner is null || !(isAdmin || owner == actorId))
        {
            throw ServerNotFound;
        }
    }

    private async Task<DomainName> FindDomainAsync(long serverId, long domainId, CancellationToken cancellationToken) =>
        await db.DomainNames.FirstOrDefaultAsync(d => d.Id == domainId && d.VirtualServerId == serverId, cancellationToken) ?? throw DomainNotFound;

    private async Task<List<DomainView>> ViewsAsync(IReadOnlyCollection<DomainName> domains, CancellationToken cancellationToken)
    {
        var states = await certificates.StatesAsync(domains, cancellationToken);
        var verifications = await verifier.StatesAsync(db, domains, cancellationToken);
        var ids = domains.Select(d => d.Id).ToList();
        var rows = await db.DomainOptions.AsNoTracking().Where(o => ids.Contains(o.DomainId))
            .ToDictionaryAsync(o => o.DomainId, o => (o.OriginPulls, o.TargetPort), cancellationToken);
        return domains.Select(d => new DomainView(
            d.Id,
            d.VirtualServerId,
            d.Name,
            d.Ssl,
            d.IsCloudflare,
            OriginPulls: d.IsCloudflare && rows.GetValueOrDefault(d.Id).OriginPulls,
            NeedsDns: !DomainNameRules.Check(d.Name, options).UnderAppsDomain,
            states.GetValueOrDefault(d.Id) ?? (d.Ssl ? CertificateState.Pending : CertificateState.None),
            verifications[d.Id],
            rows.TryGetValue(d.Id, out var row) ? row.TargetPort : DomainOptions.DefaultTargetPort)).ToList();
    }

    private void Notify(DomainChange change) => notifier.NotifyCommitted(change, logger);
}
