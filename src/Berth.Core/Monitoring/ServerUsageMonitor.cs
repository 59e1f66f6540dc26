using System.Globalization;
using Berth.Core.Data;
using Berth.Core.Servers;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Berth.Core.Monitoring;

/// <summary>
/// Samples every running virtual server (the engines with a host container in the
/// <see cref="IMonitoredEngines"/> sources) each <see cref="MonitorOptions.UsageInterval"/>: CPU and
/// memory from the host engine's one-shot stats of the server's container, disk use of
/// <c>SERVERS/&lt;id&gt;</c> on a slower schedule; then compacts the history.
/// </summary>
public sealed class ServerUsageMonitor(
    IEnumerable<IMonitoredEngines> sources,
    ServerUsageStore store,
    IOptions<MonitorOptions> options,
    TimeProvider time,
    ILogger<ServerUsageMonitor> logger) : BackgroundService
{
    private readonly IReadOnlyList<IMonitoredEngines> _sources = [.. sources];
    private readonly Dictionary<long, CpuReading> _lastCpu = [];
    private readonly Dictionary<long, (long Bytes, long At)> _lastDisk = [];
    private long _lastCompactionHour = long.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.UsageInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await SampleAllAsync(stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested && e is not OutOfMemoryException)
                {
                    Log.UsageRoundFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One round: a point per running server, then compaction. Public for tests and tools.</summary>
    public async Task<int> SampleAllAsync(CancellationToken cancellationToken)
    {
        var engines = _sources.SelectMany(s => s.GetEngines()).ToList();
        var servers = engines.Where(e => e.ServerId != VirtualServer.HostId && e.HostContainer is not null).ToList();
        var host = engines.FirstOrDefault(e => e.ServerId == VirtualServer.HostId);
        var points = new List<ServerUsage>();
        if (host is not null && servers.Count > 0)
        {
            using var client = host.Connect();
            foreach (var server in servers)
            {
                try
                {
                    points.Add(await SampleAsync(client, server.ServerId, server.HostContainer!, cancellationToken));
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
                {
                    Log.UsageSampleFailed(logger, server.ServerId, e);
                }
            }
        }

        foreach (var gone in _lastCpu.Keys.Except(servers.Select(s => s.ServerId)).ToList())
        {
            _lastCpu.Remove(gone);
            _lastDisk.Remove(gone);
        }

        await store.AddAsync(points, cancellationToken);
        // Compaction folds whole hours and expires by the hour: once per hour is all it can do.
        var hour = time.GetUtcNow().ToUnixTimeSeconds() / ServerUsageStore.HourSeconds;
        var compaction = new UsageCompaction(0, 0, 0);
        if (hour != _lastCompactionHour)
        {
            compaction = await store.CompactAsync(cancellationToken);
            _lastCompactionHour = hour;
        }

        Log.UsageRound(logger, points.Count, compaction.Folded, compaction.Expired);
        return points.Count;
    }

    private async Task<ServerUsage> SampleAsync(IDockerClient client, long serverId, string container, CancellationToken cancellationToken)
    {
        var sink = new StatsSink();
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            deadline.CancelAfter(options.Value.RequestTimeout);
            await client.Containers.GetContainerStatsAsync(container, new ContainerStatsParameters { Stream = false, OneShot = true }, sink, deadline.Token);
        }

        var stats = sink.Last ?? throw new InvalidOperationException($"The engine sent no stats for {container}.");
        return new ServerUsage
        {
            ServerId = serverId,
            SampledAt = SeedTime.Now(time),
            IntervalSeconds = (int)Math.Round(options.Value.UsageInterval.TotalSeconds),
            CpuPercent = CpuPercent(serverId, stats.CPUStats),
            MemoryBytes = (long)MemoryInUse(stats.MemoryStats),
            MemoryLimitBytes = (long)(stats.MemoryStats?.Limit ?? 0),
            DiskBytes = await DiskBytesAsync(serverId, cancellationToken),
        };
    }

    /// <summary>
    /// One-shot stats carry no previous reading, so the delta is taken against this monitor's
    /// previous sample of the same server (the engine's own formula): null for the first sample.
    /// </summary>
    private double? CpuPercent(long serverId, CPUStats? cpu)
    {
        if (cpu?.CPUUsage is null)
        {
            return null;
        }

        var current = new CpuReading(cpu.CPUUsage.TotalUsage, cpu.SystemUsage ?? 0, cpu.OnlineCPUs is > 0 ? cpu.OnlineCPUs.Value : (uint)(cpu.CPUUsage.PercpuUsage?.Count ?? 1));
        var had = _lastCpu.TryGetValue(serverId, out var previous);
        _lastCpu[serverId] = current;
        if (!had || current.Total < previous.Total || current.System <= previous.System)
        {
            return null;
        }

        return Math.Round((double)(current.Total - previous.Total) / (current.System - previous.System) * current.OnlineCpus * 100, 2);
    }

    /// <summary>What <c>docker stats</c> shows: usage without the inactive page cache.</summary>
    private static ulong MemoryInUse(MemoryStats? memory)
    {
        if (memory is null)
        {
            return 0;
        }

        var usage = memory.Usage ?? 0;
        var stats = memory.Stats ?? new Dictionary<string, ulong>();
        var inactive = stats.TryGetValue("inactive_file", out var v2) ? v2 : stats.TryGetValue("total_inactive_file", out var v1) ? v1 : 0;
        return inactive < usage ? usage - inactive : usage;
    }

    private async Task<long> DiskBytesAsync(long serverId, CancellationToken cancellationToken)
    {
        if (options.Value.ServersRoot is not { } root)
        {
            return 0;
        }

        var now = time.GetTimestamp();
        if (_lastDisk.TryGetValue(serverId, out var last) && time.GetElapsedTime(last.At, now) < options.Value.DiskInterval)
        {
            return last.Bytes;
        }

        var folder = Path.Combine(root, serverId.ToString(CultureInfo.InvariantCulture));
        var bytes = await Task.Run(() => ServerDirectories.MeasureBytes(folder), cancellationToken);
        _lastDisk[serverId] = (bytes, now);
        return bytes;
    }

    private readonly record struct CpuReading(ulong Total, ulong System, uint OnlineCpus);

    private sealed class StatsSink : IProgress<ContainerStatsResponse>
    {
        public ContainerStatsResponse? Last { get; private set; }

        public void Report(ContainerStatsResponse value) => Last = value;
    }
}
