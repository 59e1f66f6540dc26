using System.Globalization;

namespace Berth.Core.Data;

/// <summary>
/// The seed stores times as UTC text <c>yyyy-MM-dd HH:mm:ss</c> (what SQLite's <c>datetime('now')</c>
/// writes) and registration-code expiry as Unix seconds. Text in that format sorts like time,
/// so comparisons in queries stay plain string comparisons on every provider.
/// </summary>
public static class SeedTime
{
    public const string Format = "yyyy-MM-dd HH:mm:ss";

    public static string ToText(DateTimeOffset time) =>
        time.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    public static DateTimeOffset? Parse(string text) =>
        DateTime.TryParseExact(text, Format, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
            ? new DateTimeOffset(value, TimeSpan.Zero)
            : null;

    public static string Now(TimeProvider clock) => ToText(clock.GetUtcNow());
}
