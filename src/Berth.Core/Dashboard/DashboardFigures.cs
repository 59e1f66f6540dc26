using Berth.Core.Data;
using Berth.Core.Servers;
using Microsoft.EntityFrameworkCore;

namespace Berth.Core.Dashboard;

/// <summary>The seed's query 4.3.</summary>
public sealed record DashboardFigures(int Users, int VirtualServersRunning, int VirtualServersTotal, int Domains)
{
    public static async Task<DashboardFigures> RunAsync(BerthDbContext db, CancellationToken cancellationToken)
    {
        var servers = db.VirtualServers.Where(s => !s.Deleted && s.Id != VirtualServer.HostId);
        return new DashboardFigures(
            await db.Users.CountAsync(cancellationToken),
            await servers.CountAsync(s => s.Enabled, cancellationToken),
            await servers.CountAsync(cancellationToken),
            await db.DomainNames.CountAsync(cancellationToken));
    }
}
