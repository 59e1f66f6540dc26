using Berth.Core.Data;

namespace Berth.Core.Activity;

/// <summary>
/// Adds rows to the seed's <c>System_RecentActivity</c>. The row joins the caller's unit of work,
/// so an action and its record are saved together or not at all. An action done with an API token
/// names the token at the end of its row (" (token name)"), so the owner can tell a pipeline's
/// changes from their own.
/// </summary>
public sealed class ActivityLog(TimeProvider clock)
{
    private static readonly AsyncLocal<string?> Token = new();

    public void Add(BerthDbContext db, long userId, string message) =>
        db.RecentActivity.Add(new ActivityEntry { UserId = userId, Message = WithToken(message), Time = SeedTime.Now(clock) });

    /// <summary>Rows added by the current request (and what it starts) from now on name this API token.</summary>
    public static void ActWithToken(string name) => Token.Value = name;

    internal static string WithToken(string message) => Token.Value is { } name ? $"{message} (token {name})" : message;
}
