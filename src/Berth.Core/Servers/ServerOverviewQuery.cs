using System.Globalization;
using Berth.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Berth.Core.Servers;

public sealed record DomainSummary(long Id, string DomainName, bool IsCloudflare, bool Ssl);

/// <summary>One row of the seed's query 4.2.</summary>
public sealed record ServerOverview(long Id, string Name, long OwnerId, string? OwnerEmail, string Status, string State, bool Enabled, IReadOnlyList<DomainSummary> Domains);

/// <summary>
/// The seed's query 4.2: virtual servers as the host engine sees them (containers named
/// <c>hosting-users-dind-&lt;id&gt;</c> on the host, ParentServerID 0), joined to their rows
/// (deleted ones left out), owners and domain names.
/// </summary>
public static class ServerOverviewQuery
{
    public const string ContainerPrefix = "hosting-users-dind-";

    public static async Task<List<ServerOverview>> RunAsync(BerthDbContext db, CancellationToken cancellationToken)
    {
        var containers = await db.DockerContainers
            .Where(c => c.ParentServerId == VirtualServer.HostId && c.Names.StartsWith(ContainerPrefix))
            .Select(c => new { c.Names, c.Status, c.State })
            .ToListAsync(cancellationToken);
        var byId = containers
            .Select(c => (Id: ServerIdOf(c.Names), c.Status, c.State))
            .Where(c => c.Id is not null)
            .ToDictionary(c => c.Id!.Value);

        var ids = byId.Keys.ToList();
        var servers = await db.VirtualServers
            .Where(s => ids.Contains(s.Id) && !s.Deleted)
            .Select(s => new { s.Id, s.Name, s.OwnerId, s.Enabled, OwnerEmail = db.Users.Where(u => u.Id == s.OwnerId).Select(u => u.Email).FirstOrDefault() })
            .OrderBy(s => s.Id)
            .ToListAsync(cancellationToken);
        var domains = (await db.DomainNames
                .Where(d => ids.Contains(d.VirtualServerId))
                .OrderBy(d => d.Id)
                .ToListAsync(cancellationToken))
            .ToLookup(d => d.VirtualServerId, d => new DomainSummary(d.Id, d.Name, d.IsCloudflare, d.Ssl));

        return servers
            .Select(s => new ServerOverview(s.Id, s.Name, s.OwnerId, s.OwnerEmail, byId[s.Id].Status, byId[s.Id].State, s.Enabled, domains[s.Id].ToList()))
            .ToList();
    }

    /// <summary>The server id in a container name <c>hosting-users-dind-&lt;id&gt;</c>; null for any other name.</summary>
    public static long? ServerIdOf(string names) =>
        names.StartsWith(ContainerPrefix, StringComparison.Ordinal)
        && long.TryParse(names.AsSpan(ContainerPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
}
