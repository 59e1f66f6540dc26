using Berth.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Berth.Core.Monitoring;

/// <summary>The seed's rule 7.1: container rows the monitor has not refreshed for 5 minutes are deleted.</summary>
public static class ContainerMaintenance
{
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(5);

    public static async Task<int> DeleteStaleAsync(BerthDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var cutoff = SeedTime.ToText(clock.GetUtcNow() - StaleAfter);
        // Seed text timestamps sort like time, so the comparison is a plain text comparison in SQL.
        return await db.InWriteTransactionAsync(
            ct => db.DockerContainers.Where(c => c.UpdatedAt.CompareTo(cutoff) < 0).ExecuteDeleteAsync(ct),
            cancellationToken);
    }
}
