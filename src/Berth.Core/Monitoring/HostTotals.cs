using Berth.Core.Data;
using Berth.Core.Servers;
using Microsoft.EntityFrameworkCore;

namespace Berth.Core.Monitoring;

/// <summary>Container rows: on the host engine, and inside every virtual server.</summary>
public sealed record ContainerCounts(int Host, int HostRunning, int Inner, int InnerRunning);

/// <summary>
/// What the virtual servers use together, from each server's latest usage point (servers with no
/// point in the last three sampling intervals, e.g. stopped ones, count nothing).
/// </summary>
/// <param name="CpuPercent">Sum over servers, in percent of one core (200 = two cores busy).</param>
/// <param name="MemoryBytes">Sum over servers of memory in use.</param>
/// <param name="DiskBytes">Sum over servers of disk use under <c>SERVERS/&lt;id&gt;</c>.</param>
/// <param name="ServersReporting">Servers whose latest point was counted.</param>
/// <param name="SampledAt">The newest point counted; null when none.</param>
/// <param name="Containers">Container rows now.</param>
public sealed record HostTotals(double CpuPercent, long MemoryBytes, long DiskBytes, int ServersReporting, DateTimeOffset? SampledAt, ContainerCounts Containers)
{
    public static async Task<HostTotals> RunAsync(BerthDbContext db, MonitorOptions options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var from = SeedTime.ToText(clock.GetUtcNow() - (3 * options.UsageInterval));
        var recent = await db.ServerUsage.AsNoTracking()
            .Where(u => u.IntervalSeconds < ServerUsageStore.HourSeconds && u.SampledAt.CompareTo(from) >= 0)
            .Where(u => db.VirtualServers.Any(s => s.Id == u.ServerId && !s.Deleted))
            .ToListAsync(cancellationToken);
        var latest = recent
            .GroupBy(u => u.ServerId)
            .Select(g => g.OrderByDescending(u => u.SampledAt, StringComparer.Ordinal).ThenByDescending(u => u.Id).First())
            .ToList();

        var rows = db.DockerContainers.AsNoTracking();
        var containers = new ContainerCounts(
            await rows.CountAsync(c => c.ParentServerId == VirtualServer.HostId, cancellationToken),
            await rows.CountAsync(c => c.ParentServerId == VirtualServer.HostId && c.State == "running", cancellationToken),
            await rows.CountAsync(c => c.ParentServerId != VirtualServer.HostId, cancellationToken),
            await rows.CountAsync(c => c.ParentServerId != VirtualServer.HostId && c.State == "running", cancellationToken));

        return new HostTotals(
            Math.Round(latest.Sum(u => u.CpuPercent ?? 0), 2),
            latest.Sum(u => u.MemoryBytes),
            latest.Sum(u => u.DiskBytes),
            latest.Count,
            latest.Count == 0 ? null : latest.Max(u => SeedTime.Parse(u.SampledAt)),
            containers);
    }
}
