namespace Berth.Core.Activity;

/// <summary>A row of the seed's <c>System_RecentActivity</c>.</summary>
public sealed class ActivityEntry
{
    public long Id { get; set; }

    public long UserId { get; set; }

    public string Message { get; set; } = "";

    /// <summary>Seed text timestamp.</summary>
    public string Time { get; set; } = "";
}
