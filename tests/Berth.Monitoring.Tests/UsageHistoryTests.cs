using Berth.Core.Data;
using Berth.Core.Monitoring;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Berth.Monitoring.Tests;

/// <summary>The usage history stays bounded: a day of samples, then hourly averages for 30 days (per provider).</summary>
public abstract class UsageHistoryTests(ProviderKind kind) : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Start);
    private MonitorHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await MonitorHost.StartAsync(o => o.HostEndpoint = null, _clock, kind);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task TwentySixHoursOfMinuteSamples_OldestTwoHoursFoldedIntoHourlyAverages()
    {
        await AddMinuteSamplesAsync(serverId: 5, hours: 26);
        await AddMinuteSamplesAsync(serverId: 6, hours: 1);

        var compaction = await _host.Usage.CompactAsync(CancellationToken.None);

        // now = 02:00 next day + 26 h → the cutoff hour is 02:00 on day one: hours 00 and 01 are folded.
        Assert.Equal(new UsageCompaction(120 + 60, 3, 0), compaction);
        var points = await _host.Usage.GetAsync(5, Start, CancellationToken.None);
        Assert.Equal(2 + (24 * 60), points.Count);
        Assert.Equal([TimeSpan.FromHours(1), TimeSpan.FromHours(1)], points.Take(2).Select(p => p.Interval));
        Assert.Equal(Start, points[0].At);
        Assert.Equal(29.5, points[0].CpuPercent); // minutes 0..59 of hour 0 → cpu 0..59
        Assert.Equal(59L * 1000, points[1].DiskBytes); // the largest disk figure of the hour
        Assert.Equal(Start.AddHours(2), points[2].At);
        Assert.All(points.Skip(2), p => Assert.Equal(TimeSpan.FromMinutes(1), p.Interval));
    }

    [Fact]
    public async Task HourlyPoints_ExpireAfterThirtyDays_AndDefaultQueryIsTheLastDay()
    {
        await AddMinuteSamplesAsync(serverId: 5, hours: 2);
        _clock.Advance(TimeSpan.FromDays(2));
        await _host.Usage.CompactAsync(CancellationToken.None);
        Assert.Equal(2, (await _host.Usage.GetAsync(5, Start, CancellationToken.None)).Count);
        Assert.Empty(await _host.Usage.GetAsync(5, null, CancellationToken.None));

        _clock.Advance(TimeSpan.FromDays(30));
        var compaction = await _host.Usage.CompactAsync(CancellationToken.None);

        Assert.Equal(2, compaction.Expired);
        await using var db = _host.Context();
        Assert.Equal(0, await db.ServerUsage.CountAsync());
    }

    private async Task AddMinuteSamplesAsync(long serverId, int hours)
    {
        var points = new List<ServerUsage>();
        var at = Start;
        for (var minute = 0; minute < hours * 60; minute++)
        {
            points.Add(new ServerUsage
            {
                ServerId = serverId,
                SampledAt = SeedTime.ToText(at),
                IntervalSeconds = 60,
                CpuPercent = minute == 0 && serverId == 6 ? null : minute % 60,
                MemoryBytes = 100_000_000,
                MemoryLimitBytes = 512_000_000,
                DiskBytes = (minute % 60) * 1000,
            });
            at = at.AddMinutes(1);
        }

        await _host.Usage.AddAsync(points, CancellationToken.None);
        if (_clock.GetUtcNow() < at)
        {
            _clock.SetUtcNow(at);
        }
    }
}

public sealed class SqliteUsageHistoryTests() : UsageHistoryTests(ProviderKind.Sqlite);

public sealed class PostgreSqlUsageHistoryTests() : UsageHistoryTests(ProviderKind.PostgreSql);
