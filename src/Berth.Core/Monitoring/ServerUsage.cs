namespace Berth.Core.Monitoring;

/// <summary>
/// A row of Berth's <c>Hosting_ServerUsage</c>: one usage point of a virtual server, either a
/// sample (<see cref="IntervalSeconds"/> = the sampling interval) or an hourly average of samples
/// older than a day (<see cref="IntervalSeconds"/> = 3600).
/// </summary>
public sealed class ServerUsage
{
    public long Id { get; set; }

    public long ServerId { get; set; }

    /// <summary>Seed text timestamp (UTC) of the sample, or of the start of the hour for an hourly point.</summary>
    public string SampledAt { get; set; } = "";

    public int IntervalSeconds { get; set; }

    /// <summary>CPU use in percent of one core (200 = two cores busy); null when unknown (the first sample after start).</summary>
    public double? CpuPercent { get; set; }

    public long MemoryBytes { get; set; }

    /// <summary>The memory limit the engine reports for the server's container.</summary>
    public long MemoryLimitBytes { get; set; }

    /// <summary>Bytes under <c>SERVERS/&lt;id&gt;</c> (apps and engine storage), links counted as links.</summary>
    public long DiskBytes { get; set; }
}

/// <summary>One point of a server's usage history, as the API returns it.</summary>
public sealed record UsagePoint(DateTimeOffset At, TimeSpan Interval, double? CpuPercent, long MemoryBytes, long MemoryLimitBytes, long DiskBytes);
