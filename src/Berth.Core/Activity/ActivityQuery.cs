using Berth.Core.Data;
using Berth.Core.Errors;
using Microsoft.EntityFrameworkCore;

namespace Berth.Core.Activity;

public sealed record ActivityItem(long Id, long UserId, string? Email, string Message, DateTimeOffset? Time);

public sealed record ActivityPage(IReadOnlyList<ActivityItem> Items, int Page, int PageSize, int Total);

/// <summary>Recent activity, newest first, a page at a time; optionally one user's only.</summary>
public static class ActivityQuery
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    public static async Task<ActivityPage> RunAsync(BerthDbContext db, long? userId, int? page, int? pageSize, CancellationToken cancellationToken)
    {
        var number = page ?? 1;
        var size = pageSize ?? DefaultPageSize;
        if (number < 1 || size < 1 || size > MaxPageSize)
        {
            throw BerthException.Invalid("INVALID_PAGE", $"page must be 1 or more and pageSize between 1 and {MaxPageSize}.");
        }

        var entries = db.RecentActivity.AsNoTracking().Where(a => userId == null || a.UserId == userId);
        var total = await entries.CountAsync(cancellationToken);
        var rows = await entries
            .OrderByDescending(a => a.Time).ThenByDescending(a => a.Id)
            .Skip((number - 1) * size).Take(size)
            .Select(a => new { a.Id, a.UserId, a.Message, a.Time, Email = db.Users.Where(u => u.Id == a.UserId).Select(u => u.Email).FirstOrDefault() })
            .ToListAsync(cancellationToken);
        var items = rows.Select(r => new ActivityItem(r.Id, r.UserId, r.Email, r.Message, SeedTime.Parse(r.Time))).ToList();
        return new ActivityPage(items, number, size, total);
    }
}
