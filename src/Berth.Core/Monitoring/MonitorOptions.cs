using Microsoft.Extensions.Options;

namespace Berth.Core.Monitoring;

/// <summary>Settings of the container monitor and the usage sampler (configuration section <c>Berth:Monitor</c>).</summary>
public sealed class MonitorOptions
{
    public const string Section = "Berth:Monitor";

    /// <summary>The host engine; null watches no host engine (inner engines only).</summary>
    public Uri? HostEndpoint { get; set; } = new("unix:///var/run/docker.sock");

    /// <summary>
    /// Full re-list of every engine, on top of events (the engine replays only recent events after a
    /// cut). Events carry every change within about a second; the sweep is the safety net and the
    /// refresh of the stale-row clock, so it must stay well under the 5-minute rule. It is most of
    /// the monitor's idle cost (bench/RESULTS.md).
    /// </summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Re-list with sizes (expensive for the engine): fills the <c>Size</c> column.</summary>
    public TimeSpan SizeInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often the seed's stale-row rule (7.1) runs.</summary>
    public TimeSpan StaleCheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Deadline of one Engine API call (list, inspect, stats); the event stream itself has none.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>First delay before reconnecting to an engine that failed; doubles up to <see cref="ReconnectMaxDelay"/>, with jitter.</summary>
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>CPU and memory sample of every running virtual server (one usage point each time).</summary>
    public TimeSpan UsageInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Disk use of <c>SERVERS/&lt;id&gt;</c> is measured this often (a tree walk); points in between reuse the last figure.</summary>
    public TimeSpan DiskInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Folder holding <c>&lt;id&gt;/</c> of every virtual server (<c>&lt;data root&gt;/SERVERS</c>); null leaves disk use at 0.</summary>
    public string? ServersRoot { get; set; }

    /// <summary>Points at <see cref="UsageInterval"/> resolution are kept this long, then averaged into hourly points.</summary>
    public TimeSpan UsageFineRetention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Hourly points are kept this long.</summary>
    public TimeSpan UsageCoarseRetention { get; set; } = TimeSpan.FromDays(30);
}

internal sealed class MonitorOptionsValidation : IValidateOptions<MonitorOptions>
{
    public ValidateOptionsResult Validate(string? name, MonitorOptions options)
    {
        var failures = new List<string>();
        Positive(options.SweepInterval, nameof(MonitorOptions.SweepInterval));
        Positive(options.SizeInterval, nameof(MonitorOptions.SizeInterval));
        Positive(options.StaleCheckInterval, nameof(MonitorOptions.StaleCheckInterval));
        Positive(options.RequestTimeout, nameof(MonitorOptions.RequestTimeout));
        Positive(options.ReconnectMinDelay, nameof(MonitorOptions.ReconnectMinDelay));
        Positive(options.UsageInterval, nameof(MonitorOptions.UsageInterval));
        Positive(options.DiskInterval, nameof(MonitorOptions.DiskInterval));
        if (options.ReconnectMaxDelay < options.ReconnectMinDelay)
        {
            failures.Add($"{MonitorOptions.Section}:{nameof(MonitorOptions.ReconnectMaxDelay)} must be at least {nameof(MonitorOptions.ReconnectMinDelay)}.");
        }

        if (options.SweepInterval >= ContainerMaintenance.StaleAfter)
        {
            failures.Add($"{MonitorOptions.Section}:{nameof(MonitorOptions.SweepInterval)} must be shorter than the 5-minute stale-row rule, or live rows would be deleted.");
        }

        if (options.UsageCoarseRetention < options.UsageFineRetention || options.UsageFineRetention < TimeSpan.FromHours(1))
        {
            failures.Add($"{MonitorOptions.Section}:{nameof(MonitorOptions.UsageFineRetention)} must be at least an hour and at most {nameof(MonitorOptions.UsageCoarseRetention)}.");
        }

        if (options.HostEndpoint is { Scheme: not ("unix" or "tcp" or "http") } endpoint)
        {
            failures.Add($"{MonitorOptions.Section}:{nameof(MonitorOptions.HostEndpoint)} '{endpoint}' must be unix:// or tcp://.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Positive(TimeSpan value, string key)
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"{MonitorOptions.Section}:{key} must be positive (was {value}).");
            }
        }
    }
}
