using Berth.Core.Data;
using Berth.Core.Servers;
using Microsoft.EntityFrameworkCore;

namespace Berth.Core.Monitoring;

/// <summary>
/// Writes what the monitor sees into the seed's <c>Hosting_DockerContainers</c>: a full list of one
/// engine replaces that engine's rows (new ones added, gone ones removed), single events upsert or
/// remove one row. Every write stamps <c>UpdatedAt</c>, which the stale-row rule (seed 7.1) reads.
/// </summary>
public sealed class ContainerRowStore(IDbContextFactory<BerthDbContext> contexts, TimeProvider clock)
{
    /// <summary>
    /// Makes the rows of <paramref name="parentServerId"/> exactly <paramref name="current"/>. Only rows
    /// whose columns changed are written one by one; every row still listed gets its
    /// <c>UpdatedAt</c> refreshed by one statement (a sweep of idle containers changes nothing else).
    /// </summary>
    public async Task<ContainerSync> ReplaceAllAsync(long parentServerId, IReadOnlyCollection<DockerContainer> current, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.InWriteTransactionAsync(async ct =>
        {
            var now = SeedTime.Now(clock);
            var existing = await db.DockerContainers.Where(c => c.ParentServerId == parentServerId).ToDictionaryAsync(c => c.DockerId, ct);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            int added = 0, changed = 0;
            foreach (var row in current)
            {
                if (!seen.Add(row.DockerId))
                {
                    continue;
                }

                if (existing.TryGetValue(row.DockerId, out var stored))
                {
                    // Tracked: only the columns that differ (mostly Status and RunningFor) are written.
                    if (!SameColumns(row, stored))
                    {
                        CopyColumns(row, stored, now);
                        changed++;
                    }
                }
                else
                {
                    db.DockerContainers.Add(WithParent(row, parentServerId, now));
                    added++;
                }
            }

            var gone = existing.Values.Where(c => !seen.Contains(c.DockerId)).ToList();
            db.DockerContainers.RemoveRange(gone);
            var adopted = parentServerId == VirtualServer.HostId ? await AddOwnerlessServersAsync(db, current, ct) : 0;
            await db.SaveChangesAsync(ct);
            await db.DockerContainers
                .Where(c => c.ParentServerId == parentServerId && c.UpdatedAt != now)
                .ExecuteUpdateAsync(set => set.SetProperty(c => c.UpdatedAt, now), ct);
            return new ContainerSync(added, changed, gone.Count, adopted);
        }, cancellationToken);
    }

    public async Task UpsertAsync(long parentServerId, DockerContainer row, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.InWriteTransactionAsync(async ct =>
        {
            var now = SeedTime.Now(clock);
            var stored = await db.DockerContainers.FindAsync([row.DockerId, parentServerId], ct);
            if (stored is null)
            {
                db.DockerContainers.Add(WithParent(row, parentServerId, now));
            }
            else
            {
                CopyColumns(row, stored, now);
            }

            if (parentServerId == VirtualServer.HostId)
            {
                await AddOwnerlessServersAsync(db, [row], ct);
            }

            return await db.SaveChangesAsync(ct);
        }, cancellationToken);
    }

    public async Task<bool> RemoveAsync(long parentServerId, string dockerId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.InWriteTransactionAsync(
            async ct => await db.DockerContainers.Where(c => c.ParentServerId == parentServerId && c.DockerId == dockerId).ExecuteDeleteAsync(ct) > 0,
            cancellationToken);
    }

    /// <summary>Removes every row under a virtual server (deleted, or its engine gone for good).</summary>
    public async Task<int> RemoveAllAsync(long parentServerId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.InWriteTransactionAsync(
            ct => db.DockerContainers.Where(c => c.ParentServerId == parentServerId).ExecuteDeleteAsync(ct),
            cancellationToken);
    }

    /// <summary>
    /// A <c>hosting-users-dind-&lt;id&gt;</c> container with no server row gets an ownerless row
    /// (OwnerID 0), as the original platform did, so an admin sees it and can act on it.
    /// </summary>
    private async Task<int> AddOwnerlessServersAsync(BerthDbContext db, IEnumerable<DockerContainer> hostContainers, CancellationToken cancellationToken)
    {
        var ids = hostContainers
            .Select(c => ServerOverviewQuery.ServerIdOf(c.Names))
            .OfType<long>()
            .Where(id => id != VirtualServer.HostId)
            .Distinct()
            .ToList();
        if (ids.Count == 0)
        {
            return 0;
        }

        var known = await db.VirtualServers.Where(s => ids.Contains(s.Id)).Select(s => s.Id).ToListAsync(cancellationToken);
        var now = SeedTime.Now(clock);
        var missing = ids.Except(known).ToList();
        foreach (var id in missing)
        {
            db.VirtualServers.Add(new VirtualServer { Id = id, OwnerId = 0, Name = "", Enabled = true, CreatedAt = now, UpdatedAt = now });
        }

        return missing.Count;
    }

    private static DockerContainer WithParent(DockerContainer row, long parentServerId, string now)
    {
        var copy = new DockerContainer { DockerId = row.DockerId, ParentServerId = parentServerId };
        CopyColumns(row, copy, now);
        return copy;
    }

    private static void CopyColumns(DockerContainer from, DockerContainer to, string now)
    {
        to.Command = from.Command;
        to.CreatedAt = from.CreatedAt;
        to.Image = from.Image;
        to.Labels = from.Labels;
        to.Mounts = from.Mounts;
        to.Names = from.Names;
        to.Networks = from.Networks;
        to.Ports = from.Ports;
        to.RunningFor = from.RunningFor;
        to.Size = KeptSize(from, to);
        to.State = from.State;
        to.Status = from.Status;
        to.UpdatedAt = now;
    }

    /// <summary>Sizes are filled by a slow pass; a fast-path row without one keeps the last measured size.</summary>
    private static string KeptSize(DockerContainer seen, DockerContainer stored) =>
        seen.Size is "" or "0B" && stored.Size is { Length: > 0 } ? stored.Size : seen.Size;

    /// <summary>Whether a listed container's columns equal its stored row's (<c>UpdatedAt</c> aside, a missing size counting as the stored one).</summary>
    private static bool SameColumns(DockerContainer seen, DockerContainer stored) =>
        KeptSize(seen, stored) == stored.Size && Same(seen, stored);

    private static bool Same(DockerContainer a, DockerContainer b) =>
        a.Command == b.Command && a.CreatedAt == b.CreatedAt && a.Image == b.Image && a.Labels == b.Labels
        && a.Mounts == b.Mounts && a.Names == b.Names && a.Networks == b.Networks && a.Ports == b.Ports
        && a.RunningFor == b.RunningFor && a.State == b.State && a.Status == b.Status;
}

/// <summary>What one full list did: rows added, rows whose columns changed, rows removed, ownerless server rows added.</summary>
public sealed record ContainerSync(int Added, int Updated, int Removed, int AdoptedServers);
