using System.Globalization;
using Berth.Core.Activity;
using Berth.Core.Data;
using Berth.Core.Domains;
using Berth.Core.Errors;
using Berth.Docker;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Berth.Core.Servers;

/// <summary>
/// The virtual-server use cases. Owners act on their own servers, admins on every server; for
/// anyone else a server that exists answers exactly like one that does not.
/// </summary>
public sealed class ServersService(
    BerthDbContext db,
    ServerContainers containers,
    ServerDirectories directories,
    ServerLocks locks,
    ServerReconciler reconciler,
    ServersOptions options,
    ActivityLog activity,
    IDomainChangeNotifier domainChanges,
    IEnumerable<IServerLifecycleListener> lifecycleListeners,
    TimeProvider clock,
    ILogger<ServersService> logger)
{
    private static readonly BerthException NotFound = BerthException.NotFound("SERVER_NOT_FOUND", "No such server.");

    public async Task<List<ServerView>> ListAsync(long actorId, bool isAdmin, bool all, CancellationToken cancellationToken)
    {
        var query = db.VirtualServers.Where(s => !s.Deleted && s.Id != VirtualServer.HostId);
        if (!(all && isAdmin))
        {
            query = query.Where(s => s.OwnerId == actorId);
        }

        var servers = await query.OrderBy(s => s.Id).ToListAsync(cancellationToken);
        return await ViewsAsync(servers, cancellationToken);
    }

    public async Task<ServerView> GetAsync(long actorId, bool isAdmin, long id, CancellationToken cancellationToken)
    {
        var server = await FindVisibleAsync(actorId, isAdmin, id, cancellationToken);
        return (await ViewsAsync([server], cancellationToken)).Single();
    }

    /// <summary>Throws the same 404 for another user's server as for a missing one (for endpoints outside this service).</summary>
    public async Task EnsureVisibleAsync(long actorId, bool isAdmin, long id, CancellationToken cancellationToken) =>
        _ = await FindVisibleAsync(actorId, isAdmin, id, cancellationToken);

    /// <summary>Writes the row and has the reconciler create the container at once; the server is visible at once as <c>creating</c>.</summary>
    public async Task<ServerView> CreateAsync(long actorId, string? name, CancellationToken cancellationToken)
    {
        var normalized = ServerName.Normalize(name);
        var server = await db.InWriteTransactionAsync(async ct =>
        {
            var quota = await db.UserQuotas.Where(q => q.UserId == actorId).Select(q => (int?)q.MaxServers).FirstOrDefaultAsync(ct) ?? options.DefaultQuota;
            var owned = await db.VirtualServers.CountAsync(s => s.OwnerId == actorId && !s.Deleted && s.Id != VirtualServer.HostId, ct);
            if (owned >= quota)
            {
                throw BerthException.Conflict("QUOTA_EXCEEDED", $"You may own at most {quota} server(s). Delete one or ask an administrator for a larger quota.");
            }

            // IDs are never reused: deleted rows stay, so the next ID is above every row ever written.
            var id = (await db.VirtualServers.MaxAsync(s => (long?)s.Id, ct) ?? 0) + 1;
            var now = SeedTime.Now(clock);
            var created = new VirtualServer { Id = id, OwnerId = actorId, Name = normalized, Enabled = true, CreatedAt = now, UpdatedAt = now };
            db.VirtualServers.Add(created);
            db.ServerSettings.Add(new ServerSettings
            {
                ServerId = id,
                Cpus = options.DefaultCpus,
                MemoryMb = options.DefaultMemoryMb,
                Pids = options.DefaultPids,
                Provisioning = ProvisioningState.Creating,
                UpdatedAt = now,
            });
            activity.Add(db, actorId, $"Virtual server #{id} created");
            await db.SaveChangesAsync(ct);
            return created;
        }, cancellationToken);

        reconciler.ProvisionNow(server.Id);
        return (await ViewsAsync([server], cancellationToken)).Single();
    }

    public async Task<ServerView> RenameAsync(long actorId, bool isAdmin, long id, string? name, CancellationToken cancellationToken)
    {
        var normalized = ServerName.Normalize(name);
        var server = await FindVisibleAsync(actorId, isAdmin, id, cancellationToken);
        var previous = server.Name;
        server.Name = normalized;
        server.UpdatedAt = SeedTime.Now(clock);
        activity.Add(db, actorId, $"Virtual server #{id} renamed from \"{previous}\" to \"{normalized}\"");
        await db.SaveChangesAsync(cancellationToken);
        return (await ViewsAsync([server], cancellationToken)).Single();
    }

    public async Task<ServerView> StartAsync(long actorId, bool isAdmin, long id, CancellationToken cancellationToken) =>
        await SetRunningAsync(actorId, isAdmin, id, running: true, cancellationToken);

    public async Task<ServerView> StopAsync(long actorId, bool isAdmin, long id, CancellationToken cancellationToken) =>
        await SetRunningAsync(actorId, isAdmin, id, running: false, cancellationToken);

    /// <summary>
    /// Stop, remove the container, drop the engine storage, archive the folder as
    /// <c>SERVERS/&lt;id&gt;-deleted-&lt;time&gt;</c>, soft-delete the row and remove its domains and container rows.
    /// </summary>
    public async Task DeleteAsync(long actorId, bool isAdmin, long id, CancellationToken cancellationToken)
    {
        var server = await FindVisibleAsync(actorId, isAdmin, id, cancellationToken);
        List<(long Id, string Name)> removedDomains;
        using (await locks.AcquireAsync(id, cancellationToken))
        {
            Announce(id, deleting: true);
            await EngineCallAsync(() => containers.RemoveAsync(id, cancellationToken));
            directories.Archive(id, clock.GetUtcNow());
            removedDomains = await db.InWriteTransactionAsync(async ct =>
            {
                server.Deleted = true;
                server.Enabled = false;
                server.UpdatedAt = SeedTime.Now(clock);
                var domains = await db.DomainNames.Where(d => d.VirtualServerId == id).Select(d => new { d.Id, d.Name }).ToListAsync(ct);
                await db.DomainNames.Where(d => d.VirtualServerId == id).ExecuteDeleteAsync(ct);
                // Its public ports go back to the pool; the forwards loop closes their listeners.
                await db.PortForwards.Where(f => f.VirtualServerId == id).ExecuteDeleteAsync(ct);
                var containerName = ServerContainers.ContainerName(id);
                await db.DockerContainers.Where(c => c.ParentServerId == id || (c.ParentServerId == VirtualServer.HostId && c.Names == containerName)).ExecuteDeleteAsync(ct);
                activity.Add(db, actorId, $"Virtual server #{id} deleted");
                await db.SaveChangesAsync(ct);
                return domains.Select(d => (d.Id, d.Name)).ToList();
            }, cancellationToken);
        }

        // Its domains are gone, as a domain deletion would have it: the edge drops their routes and
        // the certificate loop their certificates now, not on their next periodic pass.
        foreach (var (domainId, name) in removedDomains)
        {
            domainChanges.NotifyCommitted(new DomainChange(DomainChangeKind.Removed, domainId, id, name, null), logger);
        }

        // Open pages of the server (its owner's, while an admin deletes it) reload now and find it gone.
        foreach (var listener in lifecycleListeners)
        {
            listener.Deleted(id);
        }
    }

    /// <summary>Admin only (enforced by the caller's policy): new limits, applied live to a running container.</summary>
    public async Task<ServerView> SetLimitsAsync(long actorId, long id, double? cpus, long? memoryMb, long? pids, CancellationToken cancellationToken)
    {
        if (cpus is { } c && (c < 0.05 || c > 1024))
        {
            throw BerthException.Invalid("INVALID_LIMITS", "cpus must be between 0.05 and 1024 cores, or null for no limit.");
        }

        if (memoryMb is { } m && (m < 64 || m > 16L * 1024 * 1024))
        {
            throw BerthException.Invalid("INVALID_LIMITS", "memoryMb must be at least 64, or null for no limit.");
        }

        if (pids is { } p && (p < 32 || p > 4_194_304))
        {
            throw BerthException.Invalid("INVALID_LIMITS", "pids must be at least 32, or null for no limit.");
        }

        var server = await FindVisibleAsync(actorId, isAdmin: true, id, cancellationToken);
        using (await locks.AcquireAsync(id, cancellationToken))
        {
            var settings = await SettingsOfAsync(id, cancellationToken);
            settings.Cpus = cpus;
            settings.MemoryMb = memoryMb;
            settings.Pids = pids;
            settings.UpdatedAt = SeedTime.Now(clock);
            if (await EngineCallAsync(() => containers.InspectAsync(id, cancellationToken)) is not null)
            {
                await EngineCallAsync(() => containers.UpdateLimitsAsync(id, ServerContainers.LimitsOf(settings), cancellationToken));
            }

            activity.Add(db, actorId, string.Create(CultureInfo.InvariantCulture, $"Limits of virtual server #{id} set (cpus {cpus?.ToString(CultureInfo.InvariantCulture) ?? "none"}, memory {memoryMb?.ToString(CultureInfo.InvariantCulture) ?? "none"} MB, pids {pids?.ToString(CultureInfo.InvariantCulture) ?? "none"})"));
            await db.SaveChangesAsync(cancellationToken);
        }

        return (await ViewsAsync([server], cancellationToken)).Single();
    }

    public async Task<int> GetQuotaAsync(long userId, CancellationToken cancellationToken)
    {
        await EnsureUserExistsAsync(userId, cancellationToken);
        return await db.UserQuotas.Where(q => q.UserId == userId).Select(q => (int?)q.MaxServers).FirstOrDefaultAsync(cancellationToken) ?? options.DefaultQuota;
    }

    public async Task<int> SetQuotaAsync(long actorId, long userId, int? maxServers, CancellationToken cancellationToken)
    {
        if (maxServers is not { } max || max < 0 || max > 10_000)
        {
            throw BerthException.Invalid("INVALID_QUOTA", "maxServers must be a whole number from 0 to 10000.");
        }

        await EnsureUserExistsAsync(userId, cancellationToken);
        var quota = await db.UserQuotas.FindAsync([userId], cancellationToken);
        if (quota is null)
        {
            db.UserQuotas.Add(new UserQuota { UserId = userId, MaxServers = max });
        }
        else
        {
            quota.MaxServers = max;
        }

        activity.Add(db, actorId, $"Server quota of user #{userId} set to {max}");
        await db.SaveChangesAsync(cancellationToken);
        return max;
    }

    private async Task<ServerView> SetRunningAsync(long actorId, bool isAdmin, long id, bool running, CancellationToken cancellationToken)
    {
        var server = await FindVisibleAsync(actorId, isAdmin, id, cancellationToken);
        var settings = await SettingsOfAsync(id, cancellationToken);
        if (settings.Provisioning != ProvisioningState.Ready)
        {
            throw BerthException.Conflict("SERVER_NOT_READY", settings.Provisioning == ProvisioningState.Creating
                ? "The server is still being created."
                : "The server could not be created; delete it and create a new one.");
        }

        using (await locks.AcquireAsync(id, cancellationToken))
        {
            if (running)
            {
                var exists = await EngineCallAsync(() => containers.InspectAsync(id, cancellationToken)) is not null;
                await EngineCallAsync(() => exists
                    ? containers.StartAsync(id, cancellationToken)
                    : containers.CreateAndStartAsync(id, ServerContainers.LimitsOf(settings), cancellationToken));
            }
            else
            {
                Announce(id, deleting: false);
                await EngineCallAsync(() => containers.StopAsync(id, cancellationToken));
            }

            server.Enabled = running;
            server.UpdatedAt = SeedTime.Now(clock);
            activity.Add(db, actorId, $"Virtual server #{id} {(running ? "started" : "stopped")}");
            await db.SaveChangesAsync(cancellationToken);
        }

        return (await ViewsAsync([server], cancellationToken, fromEngine: true)).Single();
    }

    private void Announce(long id, bool deleting)
    {
        foreach (var listener in lifecycleListeners)
        {
            listener.Stopping(id, deleting);
        }
    }

    private async Task<VirtualServer> FindVisibleAsync(long actorId, bool isAdmin, long id, CancellationToken cancellationToken)
    {
        if (id == VirtualServer.HostId)
        {
            throw NotFound;
        }

        var server = await db.VirtualServers.FirstOrDefaultAsync(s => s.Id == id && !s.Deleted, cancellationToken);
        return server is not null && (isAdmin || server.OwnerId == actorId) ? server : throw NotFound;
    }

    private async Task<ServerSettings> SettingsOfAsync(long id, CancellationToken cancellationToken)
    {
        var settings = await db.ServerSettings.FindAsync([id], cancellationToken);
        if (settings is null)
        {
            // A server adopted from the original platform has no settings yet: it exists, so it is ready.
            settings = new ServerSettings { ServerId = id, Provisioning = ProvisioningState.Ready, UpdatedAt = SeedTime.Now(clock) };
            db.ServerSettings.Add(settings);
        }

        return settings;
    }

    private async Task EnsureUserExistsAsync(long userId, CancellationToken cancellationToken)
    {
        if (!await db.Users.AnyAsync(u => u.Id == userId, cancellationToken))
        {
            throw BerthException.NotFound("USER_NOT_FOUND", "No such user.");
        }
    }

    /// <summary>
    /// The servers as their owners see them. State and status come from the server's container row
    /// (what the container monitor last saw) and the stacks from its inner container rows; a server
    /// without a row yet is looked up on the engine. <paramref name="fromEngine"/> asks the engine
    /// for every server: the answer to a start or stop shows its outcome, not the row that has not
    /// caught up yet.
    /// </summary>
    private async Task<List<ServerView>> ViewsAsync(List<VirtualServer> servers, CancellationToken cancellationToken, bool fromEngine = false)
    {
        var ids = servers.Select(s => s.Id).ToList();
        var settings = await db.ServerSettings.Where(s => ids.Contains(s.ServerId)).ToDictionaryAsync(s => s.ServerId, cancellationToken);
        var ownerIds = servers.Select(s => s.OwnerId).Distinct().ToList();
        var owners = await db.Users.Where(u => ownerIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Email, cancellationToken);
        var domains = (await db.DomainNames.Where(d => ids.Contains(d.VirtualServerId)).OrderBy(d => d.Id).ToListAsync(cancellationToken))
            .ToLookup(d => d.VirtualServerId, d => new DomainSummary(d.Id, d.Name, d.IsCloudflare, d.Ssl));
        var names = ids.Select(ServerContainers.ContainerName).ToList();
        var rows = (await db.DockerContainers.AsNoTracking()
                .Where(c => c.ParentServerId == VirtualServer.HostId && names.Contains(c.Names))
                .Select(c => new { c.Names, c.State, c.Status, c.UpdatedAt })
                .ToListAsync(cancellationToken))
            .Select(c => (Id: ServerOverviewQuery.ServerIdOf(c.Names), c.State, c.Status, SeenAt: SeedTime.Parse(c.UpdatedAt)))
            .Where(c => c.Id is not null)
            .ToDictionary(c => c.Id!.Value, c => (c.State, c.Status, c.SeenAt));
        var inner = (await db.DockerContainers.AsNoTracking().Where(c => ids.Contains(c.ParentServerId)).ToListAsync(cancellationToken))
            .ToLookup(c => c.ParentServerId);
        Dictionary<long, ServerContainer>? live = null;
        var engineAsked = false;

        var views = new List<ServerView>(servers.Count);
        foreach (var server in servers)
        {
            settings.TryGetValue(server.Id, out var s);
            (string State, string Status, DateTimeOffset? SeenAt) shown;
            if (s?.Provisioning == ProvisioningState.Creating)
            {
                shown = ("creating", "Creating", null);
            }
            else if (s?.Provisioning == ProvisioningState.Failed)
            {
                shown = ("failed", "Creation failed", null);
            }
            else if (!fromEngine && rows.TryGetValue(server.Id, out var row))
            {
                shown = row;
            }
            else
            {
                if (!engineAsked)
                {
                    engineAsked = true;
                    live = await ListLiveAsync(cancellationToken);
                }

                shown = live is null ? ("unknown", "The Docker engine is not answering", null)
                    : live.TryGetValue(server.Id, out var c) ? (c.State, c.Status, null)
                    : ("missing", "No container", null);
            }

            views.Add(new ServerView(
                server.Id,
                server.Name,
                server.OwnerId,
                owners.GetValueOrDefault(server.OwnerId),
                shown.State,
                shown.Status,
                server.Enabled,
                new ServerLimits(s?.Cpus, s?.MemoryMb, s?.Pids),
                domains[server.Id].ToList(),
                ServerStacks.From(inner[server.Id]),
                s is { Provisioning: ProvisioningState.Failed } ? s.LastError : null,
                server.CreatedAt,
                shown.SeenAt));
        }

        return views;
    }

    private async Task<Dictionary<long, ServerContainer>?> ListLiveAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await containers.ListAsync(cancellationToken);
        }
        catch (Exception e) when (DockerEngine.IsEngineFailure(e))
        {
            return null;
        }
    }

    /// <summary>Engine trouble becomes a 503 the caller can retry, never a 500.</summary>
    private static async Task EngineCallAsync(Func<Task> call) =>
        await EngineCallAsync(async () =>
        {
            await call();
            return true;
        });

    private static async Task<T> EngineCallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (DockerEngine.IsEngineFailure(e))
        {
            throw new BerthException(ErrorKind.Unavailable, "ENGINE_UNAVAILABLE", $"The Docker engine did not do what was asked: {e.Message}");
        }
    }
}
