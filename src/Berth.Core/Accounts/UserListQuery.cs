using Berth.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Berth.Core.Accounts;

/// <summary>One row of the seed's query 4.1.</summary>
public sealed record UserSummary(long Id, string Email, int ServerCount, bool Admin, bool Enabled, string LastSeen);

/// <summary>The seed's query 4.1: every user with the number of servers they own (deleted ones not counted).</summary>
public static class UserListQuery
{
    public static Task<List<UserSummary>> RunAsync(BerthDbContext db, CancellationToken cancellationToken) =>
        db.Users
            .OrderBy(u => u.Id)
            .Select(u => new UserSummary(
                u.Id,
                u.Email,
                db.VirtualServers.Count(s => s.OwnerId == u.Id && !s.Deleted),
                u.Admin == true,
                u.Enabled,
                u.LastLogin))
            .ToListAsync(cancellationToken);
}
