using Berth.Core.Data;
using Berth.Core.Servers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Berth.Core.Monitoring;

/// <summary>
/// Keeps <c>Hosting_DockerContainers</c> equal to what every engine runs: one
/// <see cref="EngineWatch"/> per engine that the <see cref="IMonitoredEngines"/> sources name
/// (events for immediacy, a full re-list on every (re)connect and on a slow sweep), and the seed's
/// stale-row rule (7.1) on a timer.
/// </summary>
/// <remarks>
/// When a virtual server's engine is unregistered (the server stopped or was deleted), its rows
/// are removed at once: the engine is gone, so every row would contradict it. When a registered
/// engine is merely unreachable, its rows stay (it may be back in a moment) and the stale-row rule
/// removes them after 5 minutes unseen.
/// </remarks>
public sealed class ContainerMonitor(
    IEnumerable<IMonitoredEngines> sources,
    ContainerRowStore rows,
    ContainerChangeFeed feed,
    IDbContextFactory<BerthDbContext> contexts,
    IOptions<MonitorOptions> options,
    TimeProvider time,
    ILogger<ContainerMonitor> logger) : BackgroundService
{
    private readonly IReadOnlyList<IMonitoredEngines> _sources = [.. sources];
    private readonly Dictionary<long, Running> _watches = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var maintenance = MaintainAsync(stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var registrations = _sources.Select(s => s.GetChangeToken().RegisterChangeCallback(_ => changed.TrySetResult(), null)).ToList();
                try
                {
                    var retry = Task.Delay(Timeout.InfiniteTimeSpan, time, stoppingToken);
                    try
                    {
                        await ReconcileAsync(stoppingToken);
                    }
                    catch (Exception e) when (!stoppingToken.IsCancellationRequested && e is not OutOfMemoryException)
                    {
                        Log.EngineListFailed(logger, e);
                        retry = Task.Delay(options.Value.ReconnectMaxDelay, time, stoppingToken);
                    }

                    await Task.WhenAny(changed.Task, retry).WaitAsync(stoppingToken);
                }
                finally
                {
                    foreach (var registration in registrations)
                    {
                        registration.Dispose();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var watch in _watches.Values)
            {
                await watch.StopAsync();
            }

            _watches.Clear();
            await maintenance;
        }
    }

    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var wanted = new Dictionary<long, MonitoredEngine>();
        foreach (var engine in _sources.SelectMany(s => s.GetEngines()))
        {
            wanted.TryAdd(engine.ServerId, engine);
        }

        foreach (var (serverId, running) in _watches.ToList())
        {
            if (wanted.TryGetValue(serverId, out var engine) && engine.Endpoint == running.Watch.Engine.Endpoint)
            {
                continue;
            }

            await running.StopAsync();
            _watches.Remove(serverId);
            Log.EngineRemoved(logger, serverId, running.Watch.Engine.Endpoint);
            if (engine is null && serverId != VirtualServer.HostId)
            {
                var removed = await rows.RemoveAllAsync(serverId, cancellationToken);
                Log.ServerRowsRemoved(logger, serverId, removed);
                feed.Publish(new MonitorChange(MonitorChangeKind.EngineResynced, serverId, serverId, "", "", "", "", time.GetUtcNow()));
            }
        }

        foreach (var (serverId, engine) in wanted)
        {
            if (_watches.ContainsKey(serverId))
            {
                continue;
            }

            var watch = new EngineWatch(engine, rows, feed, options.Value, time, logger);
            var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _watches[serverId] = new Running(watch, stop, Task.Run(() => watch.RunAsync(stop.Token), CancellationToken.None));
            Log.EngineAdded(logger, serverId, engine.Endpoint);
        }
    }

    private async Task MaintainAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.Value.StaleCheckInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    await using var db = await contexts.CreateDbContextAsync(cancellationToken);
                    var deleted = await ContainerMaintenance.DeleteStaleAsync(db, time, cancellationToken);
                    if (deleted > 0)
                    {
                        Log.StaleRowsDeleted(logger, deleted);
                    }
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
                {
                    Log.MaintenanceFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private sealed record Running(EngineWatch Watch, CancellationTokenSource Stop, Task Task)
    {
        public async Task StopAsync()
        {
            await Stop.CancelAsync();
            // RunAsync ends on cancellation by itself; it never throws.
            await Task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            Stop.Dispose();
        }
    }
}
