using Berth.Core.Data;

namespace Berth.Core.Activity;

/// <summary>
/// Adds rows to the seed's <c>System_RecentActivity</c>. The row joins the caller's unit of work,
/// so an action and its record are saved together or not at all.
/// </summary>
public sealed class ActivityLog(TimeProvider clock)
{
    public void Add(BerthDbContext db, long userId, string message) =>
        db.RecentActivity.Add(new ActivityEntry { UserId = userId, Message = message, Time = SeedTime.Now(clock) });
}
