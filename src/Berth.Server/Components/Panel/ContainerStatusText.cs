using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Localization;

namespace Berth.Server.Components.Panel;

/// <summary>
/// Docker's container status ("Up 3 minutes", "Exited (0) 2 hours ago") in the reader's language and
/// aged to now. The monitor stores the engine's text when it sees a change or sweeps (every two
/// minutes), so "Up Less than a second" stayed on screen until the next sweep; the text is parsed
/// back into its parts, the time since it was seen is added, and it is written again the way the
/// engine writes it (go-units' HumanDuration), in English or Lithuanian. Texts it does not know pass
/// through unchanged.
/// </summary>
internal static partial class ContainerStatusText
{
    public static string Render(IStringLocalizer localizer, string status, DateTimeOffset? seenAt, DateTimeOffset now)
    {
        var age = seenAt is { } at && now > at ? now - at : TimeSpan.Zero;
        if (Up().Match(status) is { Success: true } up && ParseDuration(up.Groups["d"].Value) is { } running)
        {
            var text = localizer["Status.Up", Duration(localizer, running + age)].Value;
            return up.Groups["rest"].Success ? $"{text} {Rest(localizer, up.Groups["rest"].Value)}" : text;
        }

        if (Exited().Match(status) is { Success: true } exited && ParseDuration(exited.Groups["d"].Value) is { } since)
        {
            return localizer["Status.Exited", exited.Groups["code"].Value, Duration(localizer, since + age)].Value;
        }

        if (Restarting().Match(status) is { Success: true } restarting && ParseDuration(restarting.Groups["d"].Value) is { } ago)
        {
            return localizer["Status.Restarting", restarting.Groups["code"].Value, Duration(localizer, ago + age)].Value;
        }

        // Whole texts the engine or Berth writes without a time.
        return localizer["Status.Text." + status] is { ResourceNotFound: false } known ? known.Value : status;
    }

    /// <summary>The reverse of go-units' HumanDuration; null for a text it never writes.</summary>
    internal static TimeSpan? ParseDuration(string text)
    {
        switch (text)
        {
            case "Less than a second":
                return TimeSpan.Zero;
            case "About a minute":
                return TimeSpan.FromMinutes(1);
            case "About an hour":
                return TimeSpan.FromHours(1);
        }

        var parts = text.Split(' ');
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return null;
        }

        return parts[1] switch
        {
            "second" or "seconds" => TimeSpan.FromSeconds(n),
            "minutes" => TimeSpan.FromMinutes(n),
            "hours" => TimeSpan.FromHours(n),
            "days" => TimeSpan.FromDays(n),
            "weeks" => TimeSpan.FromDays(7 * n),
            "months" => TimeSpan.FromDays(30 * n),
            "years" => TimeSpan.FromDays(365 * n),
            _ => null,
        };
    }

    /// <summary>go-units' HumanDuration, word for word in English; its Lithuanian twin in the resources.</summary>
    internal static string Duration(IStringLocalizer localizer, TimeSpan d)
    {
        var seconds = (long)d.TotalSeconds;
        var minutes = (long)d.TotalMinutes;
        var hours = (long)(d.TotalHours + 0.5);
        return seconds switch
        {
            < 1 => localizer["Duration.LessThanASecond"],
            1 => localizer["Duration.Second"],
            < 60 => localizer["Duration.Seconds", seconds],
            _ when minutes == 1 => localizer["Duration.AboutAMinute"],
            _ when minutes < 60 => localizer["Duration.Minutes", minutes],
            _ when hours == 1 => localizer["Duration.AboutAnHour"],
            _ when hours < 48 => localizer["Duration.Hours", hours],
            _ when hours < 24 * 7 * 2 => localizer["Duration.Days", hours / 24],
            _ when hours < 24 * 30 * 2 => localizer["Duration.Weeks", hours / 24 / 7],
            _ when hours < 24 * 365 * 2 => localizer["Duration.Months", hours / 24 / 30],
            _ => localizer["Duration.Years", (long)(d.TotalHours / 24 / 365)],
        };
    }

    private static string Rest(IStringLocalizer localizer, string rest) =>
        localizer["Status.Text." + rest] is { ResourceNotFound: false } known ? known.Value : rest;

    [GeneratedRegex(@"^Up (?<d>.+?)(?: (?<rest>\((?:healthy|unhealthy|health: starting|Paused)\)))?$", RegexOptions.CultureInvariant)]
    private static partial Regex Up();

    [GeneratedRegex(@"^Exited \((?<code>-?\d+)\) (?<d>.+) ago$", RegexOptions.CultureInvariant)]
    private static partial Regex Exited();

    [GeneratedRegex(@"^Restarting \((?<code>-?\d+)\) (?<d>.+) ago$", RegexOptions.CultureInvariant)]
    private static partial Regex Restarting();
}
