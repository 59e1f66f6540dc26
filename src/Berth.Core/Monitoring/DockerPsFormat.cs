using System.Globalization;
using Docker.DotNet.Models;

namespace Berth.Core.Monitoring;

/// <summary>
/// Turns an Engine API container summary into the seed's <c>Hosting_DockerContainers</c> columns,
/// formatted the way <c>docker ps --format '{{json .}}'</c> prints them (the original platform
/// stored that output), so rows written by Berth and by the original read the same.
/// </summary>
public static class DockerPsFormat
{
    private const int ShortIdLength = 12;
    private const int CommandWidth = 20;
    private const int MountWidth = 15;
    private static readonly string[] DecimalUnits = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];

    public static DockerContainer ToRow(ContainerListResponse container, long parentServerId, DateTimeOffset now, string updatedAt) => new()
    {
        DockerId = Truncate(container.ID, ShortIdLength),
        ParentServerId = parentServerId,
        Command = Quote(Ellipsis(container.Command ?? "", CommandWidth)),
        CreatedAt = CreatedAt(container.Created),
        Image = container.Image ?? "",
        Labels = Labels(container.Labels),
        Mounts = string.Join(",", (container.Mounts ?? []).Select(m => Ellipsis(string.IsNullOrEmpty(m.Name) ? m.Source ?? "" : m.Name, MountWidth))),
        Names = Names(container.Names),
        Networks = string.Join(",", (container.NetworkSettings?.Networks?.Keys ?? Enumerable.Empty<string>()).Order(StringComparer.Ordinal)),
        Ports = Ports(container.Ports),
        RunningFor = HumanDuration(now - new DateTimeOffset(DateTime.SpecifyKind(container.Created, DateTimeKind.Utc))) + " ago",
        Size = Size(container.SizeRw ?? 0, container.SizeRootFs ?? 0),
        State = container.State ?? "",
        Status = container.Status ?? "",
        UpdatedAt = updatedAt,
    };

    /// <summary>The container's primary name without the leading slash (links, which contain another slash, are left out).</summary>
    public static string Names(IEnumerable<string>? names) =>
        string.Join(",", (names ?? []).Select(n => n.TrimStart('/')).Where(n => !n.Contains('/', StringComparison.Ordinal)));

    /// <summary>Go's <c>time.Time.String()</c> for a UTC time: <c>2025-12-08 10:30:00 +0000 UTC</c>.</summary>
    public static string CreatedAt(DateTime created) =>
        DateTime.SpecifyKind(created, DateTimeKind.Utc).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " +0000 UTC";

    public static string Labels(IDictionary<string, string>? labels) =>
        string.Join(",", (labels ?? new Dictionary<string, string>()).OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));

    public static string Ports(IEnumerable<PortSummary>? ports) =>
        string.Join(", ", (ports ?? [])
            .OrderBy(p => p.PrivatePort).ThenBy(p => p.Type, StringComparer.Ordinal).ThenBy(p => p.IP, StringComparer.Ordinal)
            .Select(p => string.IsNullOrEmpty(p.IP) || p.PublicPort == 0
                ? $"{p.PrivatePort}/{p.Type}"
                : $"{(p.IP.Contains(':', StringComparison.Ordinal) ? $"[{p.IP}]" : p.IP)}:{p.PublicPort}->{p.PrivatePort}/{p.Type}")
            .Distinct());

    /// <summary>What <c>docker ps</c> shows without <c>--size</c> is "0B"; with sizes, "12.3kB (virtual 45MB)".</summary>
    public static string Size(long sizeRw, long sizeRootFs) =>
        sizeRootFs > 0 ? $"{HumanSize(sizeRw)} (virtual {HumanSize(sizeRootFs)})" : HumanSize(sizeRw);

    /// <summary>go-units <c>HumanSizeWithPrecision(size, 3)</c>: decimal units, three significant digits.</summary>
    public static string HumanSize(double size)
    {
        var unit = 0;
        while (size >= 1000 && unit < DecimalUnits.Length - 1)
        {
            size /= 1000;
            unit++;
        }

        return size.ToString("G3", CultureInfo.InvariantCulture) + DecimalUnits[unit];
    }

    /// <summary>go-units <c>HumanDuration</c>, as in "Up 2 hours" and "2 hours ago".</summary>
    public static string HumanDuration(TimeSpan duration)
    {
        var seconds = (long)duration.TotalSeconds;
        if (seconds < 1)
        {
            return "Less than a second";
        }

        if (seconds == 1)
        {
            return "1 second";
        }

        if (seconds < 60)
        {
            return $"{seconds} seconds";
        }

        var minutes = (long)duration.TotalMinutes;
        if (minutes == 1)
        {
            return "About a minute";
        }

        if (minutes < 60)
        {
            return $"{minutes} minutes";
        }

        var hours = (long)Math.Round(duration.TotalHours, MidpointRounding.AwayFromZero);
        return hours switch
        {
            1 => "About an hour",
            < 48 => $"{hours} hours",
            < 24 * 7 * 2 => $"{hours / 24} days",
            < 24 * 30 * 2 => $"{hours / 24 / 7} weeks",
            < 24 * 365 * 2 => $"{hours / 24 / 30} months",
            _ => $"{(long)duration.TotalHours / 24 / 365} years",
        };
    }

    private static string Truncate(string? value, int length) =>
        value is null ? "" : value.Length <= length ? value : value[..length];

    /// <summary>go-units' Ellipsis: cut to width with a trailing "…" counted in the width.</summary>
    private static string Ellipsis(string value, int width) =>
        value.Length <= width ? value : string.Concat(value.AsSpan(0, width - 1), "…");

    /// <summary>Go's strconv.Quote for the characters commands contain.</summary>
    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
