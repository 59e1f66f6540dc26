using System.Globalization;
using Berth.Core.Activity;
using Berth.Core.Data;
using Berth.Core.Errors;
using Berth.Core.Servers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Berth.Core.Forwards;

/// <summary>A forward as its owner sees it; <see cref="Address"/> is what to connect to (<c>host:port</c>).</summary>
public sealed record ForwardView(
    long Id, long ServerId, int PublicPort, int InternalPort, string Protocol, string Description, string ProxyProtocol, string Address, string CreatedAt, string UpdatedAt);

/// <summary>
/// The port-forward use cases. Owners act on their own servers' forwards, admins on every server's;
/// for anyone else a server that exists answers exactly like one that does not. Every write wakes the
/// listener loop, so a change is live as soon as the call returns (well under a second).
/// </summary>
public sealed class ForwardsService(
    BerthDbContext db,
    IOptions<ForwardsOptions> options,
    ForwardsSignal signal,
    ActivityLog activity,
    TimeProvider clock)
{
    private static readonly BerthException ServerNotFound = BerthException.NotFound("SERVER_NOT_FOUND", "No such server.");
    private static readonly BerthException ForwardNotFound = BerthException.NotFound("FORWARD_NOT_FOUND", "No such port forward.");

    private ForwardsOptions Options => options.Value;

    public async Task<List<ForwardView>> ListAsync(long actorId, bool isAdmin, long serverId, CancellationToken cancellationToken)
    {
        await FindVisibleServerAsync(actorId, isAdmin, serverId, cancellationToken);
        var rows = await db.PortForwards.AsNoTracking().Where(f => f.VirtualServerId == serverId).OrderBy(f => f.PublicPort).ToListAsync(cancellationToken);
        return rows.Select(View).ToList();
    }

    public async Task<ForwardView> AddAsync(long actorId, bool isAdmin, long serverId, ForwardFields fields, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var publicPort = fields.PublicPort;
        var added = await WriteAsync(publicPort, async ct =>
        {
            // Ownership first: another user's server answers 404 whatever the body says.
            var ownerId = await FindVisibleServerAsync(actorId, isAdmin, serverId, ct);
            CheckedFields(fields);
            var max = await MaxPerServerAsync(ownerId, ct);
            if (await db.PortForwards.CountAsync(f => f.VirtualServerId == serverId, ct) >= max)
            {
                throw BerthException.Invalid(ForwardRules.ForwardLimit, ForwardRules.LimitMessage(max));
            }

            var port = publicPort ?? await FreePortAsync(ct) ?? throw BerthException.Invalid(ForwardRules.PoolExhausted, ForwardRules.ExhaustedMessage(Options));
            if (await db.PortForwards.AnyAsync(f => f.PublicPort == port, ct))
            {
                throw BerthException.Invalid(ForwardRules.PortTaken, ForwardRules.TakenMessage(port));
            }

            var now = SeedTime.Now(clock);
            var forward = new PortForward
            {
                VirtualServerId = serverId,
                PublicPort = port,
                InternalPort = fields.InternalPort!.Value,
                Protocol = ForwardRules.Tcp,
                Description = fields.Description?.Trim() ?? "",
                ProxyProtocol = ProxyProtocolName(fields.ProxyProtocol) ?? "off",
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.PortForwards.Add(forward);
            activity.Add(db, actorId, Message(forward, "added"));
            await db.SaveChangesAsync(ct);
            return forward;
        }, cancellationToken);

        signal.Request();
        return View(added);
    }

    /// <summary>Replaces the forward's fields; a public port, description or PROXY protocol left out keeps the current one.</summary>
    public async Task<ForwardView> UpdateAsync(long actorId, bool isAdmin, long serverId, long forwardId, ForwardFields fields, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var publicPort = fields.PublicPort;
        var updated = await WriteAsync(publicPort, async ct =>
        {
            await FindVisibleServerAsync(actorId, isAdmin, serverId, ct);
            CheckedFields(fields);
            var forward = await FindForwardAsync(serverId, forwardId, ct);
            var port = publicPort ?? forward.PublicPort;
            if (port != forward.PublicPort && await db.PortForwards.AnyAsync(f => f.PublicPort == port && f.Id != forward.Id, ct))
            {
                throw BerthException.Invalid(ForwardRules.PortTaken, ForwardRules.TakenMessage(port));
            }

            forward.PublicPort = port;
            forward.InternalPort = fields.InternalPort!.Value;
            forward.Protocol = ForwardRules.Tcp;
            forward.Description = fields.Description?.Trim() ?? forward.Description;
            forward.ProxyProtocol = ProxyProtocolName(fields.ProxyProtocol) ?? forward.ProxyProtocol;
            forward.UpdatedAt = SeedTime.Now(clock);
            activity.Add(db, actorId, Message(forward, "updated"));
            await db.SaveChangesAsync(ct);
            return forward;
        }, cancellationToken);

        signal.Request();
        return View(updated);
    }

    public async Task DeleteAsync(long actorId, bool isAdmin, long serverId, long forwardId, CancellationToken cancellationToken)
    {
        await db.InWriteTransactionAsync(async ct =>
        {
            await FindVisibleServerAsync(actorId, isAdmin, serverId, ct);
            var forward = await FindForwardAsync(serverId, forwardId, ct);
            db.PortForwards.Remove(forward);
            activity.Add(db, actorId, Message(forward, "deleted"));
            await db.SaveChangesAsync(ct);
            return true;
        }, cancellationToken);
        signal.Request();
    }

    /// <summary>
    /// The dry run behind the panel's messages as you type: the same checks as a save, the first one
    /// that fails reported. <paramref name="forwardId"/> is the forward being edited (its own port is not
    /// "taken"); <paramref name="serverId"/> adds the per-server limit for a new forward.
    /// </summary>
    public async Task<ForwardCheck> ValidateAsync(long actorId, bool isAdmin, ForwardFields fields, long? forwardId, long? serverId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var publicPort = fields.PublicPort;
        PortForward? editing = null;
        if (forwardId is { } id)
        {
            editing = await db.PortForwards.AsNoTracking().FirstOrDefaultAsync(f => f.Id == id, cancellationToken) ?? throw ForwardNotFound;
            try
            {
                await FindVisibleServerAsync(actorId, isAdmin, editing.VirtualServerId, cancellationToken);
            }
            catch (BerthException)
            {
                throw ForwardNotFound;
            }
        }

        var check = ForwardRules.CheckFields(fields with { InternalPort = fields.InternalPort ?? editing?.InternalPort ?? 1 }, Options);
        if (!check.Valid)
        {
            return check;
        }

        if (publicPort is { } port && await db.PortForwards.AnyAsync(f => f.PublicPort == port && (editing == null || f.Id != editing.Id), cancellationToken))
        {
            return ForwardCheck.Fail(ForwardRules.PortTaken, "publicPort", ForwardRules.TakenMessage(port));
        }

        if (editing is null && serverId is { } sid)
        {
            var ownerId = await FindVisibleServerAsync(actorId, isAdmin, sid, cancellationToken);
            var max = await MaxPerServerAsync(ownerId, cancellationToken);
            if (await db.PortForwards.CountAsync(f => f.VirtualServerId == sid, cancellationToken) >= max)
            {
                return ForwardCheck.Fail(ForwardRules.ForwardLimit, "server", ForwardRules.LimitMessage(max));
            }
        }

        if (publicPort is null && editing is null && await FreePortAsync(cancellationToken) is null)
        {
            return ForwardCheck.Fail(ForwardRules.PoolExhausted, "publicPort", ForwardRules.ExhaustedMessage(Options));
        }

        return ForwardCheck.Ok;
    }

    /// <summary>The lowest public port no forward holds, or null when the pool is full.</summary>
    public async Task<int?> FreePortAsync(CancellationToken cancellationToken)
    {
        var first = Options.FirstPort;
        var last = Options.LastPort;
        var taken = (await db.PortForwards.Where(f => f.PublicPort >= first && f.PublicPort <= last).Select(f => f.PublicPort).ToListAsync(cancellationToken)).ToHashSet();
        for (var port = first; port <= last; port++)
        {
            if (!taken.Contains(port))
            {
                return port;
            }
        }

        return null;
    }

    /// <summary>The per-server forward limit of a user's servers (admin only, enforced by the caller's policy).</summary>
    public async Task<int> GetQuotaAsync(long userId, CancellationToken cancellationToken)
    {
        await EnsureUserExistsAsync(userId, cancellationToken);
        return await MaxPerServerAsync(userId, cancellationToken);
    }

    public async Task<int> SetQuotaAsync(long actorId, long userId, int? maxForwardsPerServer, CancellationToken cancellationToken)
    {
        if (maxForwardsPerServer is not { } max || max < 0 || max > 1000)
        {
            throw BerthException.Invalid("INVALID_QUOTA", "maxForwardsPerServer must be a whole number from 0 to 1000.");
        }

        await EnsureUserExistsAsync(userId, cancellationToken);
        var quota = await db.ForwardQuotas.FindAsync([userId], cancellationToken);
        if (quota is null)
        {
            db.ForwardQuotas.Add(new ForwardQuota { UserId = userId, MaxForwardsPerServer = max });
        }
        else
        {
            quota.MaxForwardsPerServer = max;
        }

        activity.Add(db, actorId, string.Create(CultureInfo.InvariantCulture, $"Port forward quota of user #{userId} set to {max} per server"));
        await db.SaveChangesAsync(cancellationToken);
        return max;
    }

    /// <summary>The activity text; the panel's ActivityText translates exactly this shape.</summary>
    public static string Message(PortForward forward, string verb)
    {
        ArgumentNullException.ThrowIfNull(forward);
        return string.Create(CultureInfo.InvariantCulture, $"Port forward {forward.PublicPort}→{forward.InternalPort} {verb} for virtual server #{forward.VirtualServerId}");
    }

    private ForwardView View(PortForward f) => new(
        f.Id, f.VirtualServerId, f.PublicPort, f.InternalPort, f.Protocol, f.Description, f.ProxyProtocol,
        string.Create(CultureInfo.InvariantCulture, $"{Options.PublicHost}:{f.PublicPort}"), f.CreatedAt, f.UpdatedAt);

    private async Task<int> MaxPerServerAsync(long userId, CancellationToken cancellationToken) =>
        await db.ForwardQuotas.Where(q => q.UserId == userId).Select(q => (int?)q.MaxForwardsPerServer).FirstOrDefaultAsync(cancellationToken)
        ?? Options.DefaultMaxPerServer;

    private void CheckedFields(ForwardFields fields)
    {
        if (fields.InternalPort is null)
        {
            throw BerthException.Invalid("MISSING_FIELD", "The field 'internalPort' is required.");
        }

        Checked(ForwardRules.CheckFields(fields, Options));
    }

    /// <summary>The stored name of a checked proxyProtocol field; null when it was not given.</summary>
    private static string? ProxyProtocolName(string? text) =>
        ForwardRules.TryParseProxyProtocol(text, out var version) ? ForwardRules.NameOf(version) : null;

    private static void Checked(ForwardCheck check)
    {
        if (!check.Valid)
        {
            throw BerthException.Invalid(check.Code!, check.Message);
        }
    }

    /// <summary>
    /// Runs a write as one transaction. The unique index on the public port has the last word: a request
    /// that lost a race to another writer gets <c>PORT_TAKEN</c>, never a 500.
    /// </summary>
    private async Task<T> WriteAsync<T>(int? publicPort, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        try
        {
            return await db.InWriteTransactionAsync(work, cancellationToken);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            throw BerthException.Invalid(ForwardRules.PortTaken, publicPort is { } p
                ? ForwardRules.TakenMessage(p)
                : "The public port picked for this forward was taken at the same moment; try again.");
        }
    }

    /// <summary>The server's owner; the same 404 for another user's server as for a missing one.</summary>
    private async Task<long> FindVisibleServerAsync(long actorId, bool isAdmin, long serverId, CancellationToken cancellationToken)
    {
        if (serverId == VirtualServer.HostId)
        {
            throw ServerNotFound;
        }

        var owner = await db.VirtualServers.Where(s => s.Id == serverId && !s.Deleted).Select(s => (long?)s.OwnerId).FirstOrDefaultAsync(cancellationToken);
        return owner is { } o && (isAdmin || o == actorId) ? o : throw ServerNotFound;
    }

    private async Task<PortForward> FindForwardAsync(long serverId, long forwardId, CancellationToken cancellationToken) =>
        await db.PortForwards.FirstOrDefaultAsync(f => f.Id == forwardId && f.VirtualServerId == serverId, cancellationToken) ?? throw ForwardNotFound;

    private async Task EnsureUserExistsAsync(long userId, CancellationToken cancellationToken)
    {
        if (!await db.Users.AnyAsync(u => u.Id == userId, cancellationToken))
        {
            throw BerthException.NotFound("USER_NOT_FOUND", "No such user.");
        }
    }
}
