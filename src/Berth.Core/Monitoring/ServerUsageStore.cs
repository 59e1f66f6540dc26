using Berth.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Berth.Core.Monitoring;

/// <summary>
/// The bounded usage history in <c>Hosting_ServerUsage</c>: samples are kept for
/// <see cref="MonitorOptions.UsageFineRetention"/> (a day), then each full hour of them is folded
/// into one hourly average, and hourly points are dropped after
/// <see cref="MonitorOptions.UsageCoarseRetention"/> (30 days). At a one-minute interval that is at
/// most about 1,440 + 720 rows per server.
/// </summary>
public sealed class ServerUsageStore(IDbContextFactory<BerthDbContext> contexts, IOptions<MonitorOptions> options, TimeProvider clock)
{
    public const int HourSeconds = 3600;
    private const int HourPrefixLength = 13; // "yyyy-MM-dd HH"

    public async Task AddAsync(IReadOnlyCollection<ServerUsage> points, CancellationToken cancellationToken)
    {
        if (points.Count == 0)
        {
            return;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.ServerUsage.AddRange(points);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Folds samples older than the fine retention into hourly points and drops expired hourly points.</summary>
    public async Task<UsageCompaction> CompactAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var fineCutoff = now - options.Value.UsageFineRetention;
        // Only whole hours are folded, so an hour is averaged once, when all its samples are in.
        var hourCutoff = SeedTime.ToText(new DateTimeOffset(fineCutoff.Year, fineCutoff.Month, fineCutoff.Day, fineCutoff.Hour, 0, 0, TimeSpan.Zero));
        var expiryCutoff = SeedTime.ToText(now - options.Value.UsageCoarseRetention);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.InWriteTransactionAsync(async ct =>
        {
            var old = await db.ServerUsage
                .Where(u => u.IntervalSeconds < HourSeconds && u.SampledAt.CompareTo(hourCutoff) < 0)
                .ToListAsync(ct);
            var hourly = old
                .GroupBy(u => (u.ServerId, Hour: u.SampledAt[..HourPrefixLength]))
                .Select(g => new ServerUsage
                {
                    ServerId = g.Key.ServerId,
                    SampledAt = g.Key.Hour + ":00:00",
                    IntervalSeconds = HourSeconds,
                    CpuPercent = g.Any(u => u.CpuPercent is not null) ? Math.Round(g.Where(u => u.CpuPercent is not null).Average(u => u.CpuPercent!.Value), 2) : null,
                    MemoryBytes = (long)g.Average(u => u.MemoryBytes),
                    MemoryLimitBytes = g.Max(u => u.MemoryLimitBytes),
                    DiskBytes = g.Max(u => u.DiskBytes),
                })
                .Where(h => string.CompareOrdinal(h.SampledAt, expiryCutoff) >= 0)
                .ToList();
            db.ServerUsage.RemoveRange(old);
            db.ServerUsage.AddRange(hourly);
            await db.SaveChangesAsync(ct);
            var expired = await db.ServerUsage.Where(u => u.SampledAt.CompareTo(expiryCutoff) < 0).ExecuteDeleteAsync(ct);
            return new UsageCompaction(old.Count, hourly.Count, expired);
        }, cancellationToken);
    }

    /// <summary>
    /// The history of one server from <paramref name="since"/> (default: the last 24 hours; never
    /// further back than the coarse retention), oldest first. Hourly points come first, then samples.
    /// </summary>
    public async Task<IReadOnlyList<UsagePoint>> GetAsync(long serverId, DateTimeOffset? since, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var earliest = now - options.Value.UsageCoarseRetention;
        var from = SeedTime.ToText(since is { } s ? (s < earliest ? earliest : s) : now - options.Value.UsageFineRetention);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.ServerUsage.AsNoTracking()
            .Where(u => u.ServerId == serverId && u.SampledAt.CompareTo(from) >= 0)
            .OrderBy(u => u.SampledAt).ThenBy(u => u.Id)
            .ToListAsync(cancellationToken);
        return rows
            .Select(u => new UsagePoint(SeedTime.Parse(u.SampledAt) ?? DateTimeOffset.MinValue, TimeSpan.FromSeconds(u.IntervalSeconds), u.CpuPercent, u.MemoryBytes, u.MemoryLimitBytes, u.DiskBytes))
            .ToList();
    }
}

/// <summary>What one compaction did: samples folded, hourly points written, expired points deleted.</summary>
public sealed record UsageCompaction(int Folded, int HourlyWritten, int Expired);
