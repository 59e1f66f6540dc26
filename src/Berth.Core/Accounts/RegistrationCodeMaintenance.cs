using Berth.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Berth.Core.Accounts;

/// <summary>The seed's rule 7.2: expired registration codes are deleted whenever codes are read.</summary>
public static class RegistrationCodeMaintenance
{
    public static async Task<int> PurgeExpiredAsync(BerthDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        return await db.InWriteTransactionAsync(
            ct => db.RegistrationCodes.Where(c => c.ValidUntil < now).ExecuteDeleteAsync(ct),
            cancellationToken);
    }
}
