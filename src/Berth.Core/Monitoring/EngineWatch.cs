using System.Globalization;
using System.Threading.Channels;
using Berth.Core.Servers;
using Berth.Docker;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;

namespace Berth.Core.Monitoring;

/// <summary>
/// Keeps the rows of one engine right: connect, subscribe to container events (from slightly
/// before now, so nothing falls between the list and the stream), re-list everything, then apply
/// each event as a one-container re-list; a periodic sweep re-lists everything again (with sizes
/// on a slower schedule). Any fault ends the connection and the loop reconnects with backoff.
/// </summary>
internal sealed class EngineWatch(
    MonitoredEngine engine,
    ContainerRowStore rows,
    ContainerChangeFeed feed,
    MonitorOptions options,
    TimeProvider time,
    ILogger logger)
{
    private const int ShortIdLength = 12;
    private const int MaxRechecks = 20;
    private static readonly TimeSpan EventOverlap = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RecheckDelay = TimeSpan.FromMilliseconds(50);
    private long _lastSizePass = long.MinValue;

    public MonitoredEngine Engine => engine;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var attempt = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await WatchOnceAsync(() => attempt = 0, cancellationToken);
                    var delay = Backoff(0);
                    Log.StreamEnded(logger, engine.ServerId, delay);
                    await Task.Delay(delay, time, cancellationToken);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
                {
                    attempt++;
                    var delay = Backoff(attempt);
                    // An engine that is down is an expected state, said in one line; anything else keeps its stack trace.
                    if (DockerEngine.IsEngineFailure(e))
                    {
                        Log.EngineUnavailable(logger, engine.ServerId, attempt, delay, e.Message);
                    }
                    else
                    {
                        Log.EngineFailed(logger, engine.ServerId, attempt, delay, e);
                    }

                    await Task.Delay(delay, time, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(options.ReconnectMaxDelay.TotalMilliseconds, options.ReconnectMinDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 20)));
        // Jitter (between half and all of the ceiling) keeps many engines that failed together from retrying together.
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + (Random.Shared.NextDouble() / 2)));
    }

    private async Task WatchOnceAsync(Action connected, CancellationToken cancellationToken)
    {
        using var client = engine.Connect();
        using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var info = await CallAsync(ct => client.System.GetSystemInfoAsync(ct), session.Token);
        var items = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });
        var parameters = new ContainerEventsParameters
        {
            Since = Since(info.SystemTime)!,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["type"] = new Dictionary<string, bool> { ["container"] = true } },
        };
        var pump = PumpAsync(client, parameters, items.Writer, session.Token);
        var ticker = TickAsync(items.Writer, session.Token);
        try
        {
            var sync = await ListAllAsync(client, withSizes: false, session.Token);
            Log.EngineConnected(logger, engine.ServerId, sync.Added, sync.Updated, sync.Removed, sync.AdoptedServers);
            connected();
            var batch = new Dictionary<string, EventItem>(StringComparer.Ordinal);
            while (await items.Reader.WaitToReadAsync(session.Token))
            {
                batch.Clear();
                SweepItem? sweep = null;
                while (items.Reader.TryRead(out var item))
                {
                    if (item is EventItem e)
                    {
                        // Several events of one container in a burst (create, start...) need one re-list;
                        // a fresh event wins over a re-check of an older one.
                        if (e.Attempt == 0 || !batch.TryGetValue(e.Id, out var pending) || pending.Attempt > 0)
                        {
                            batch[e.Id] = e;
                        }
                    }
                    else if (item is SweepItem s)
                    {
                        sweep = s with { WithSizes = s.WithSizes || sweep?.WithSizes == true };
                    }
                }

                foreach (var e in batch.Values)
                {
                    await ApplyAsync(client, e, items.Writer, session.Token);
                }

                if (sweep is not null)
                {
                    var swept = await ListAllAsync(client, sweep.WithSizes, session.Token);
                    Log.Swept(logger, engine.ServerId, sweep.WithSizes, swept.Added, swept.Updated, swept.Removed);
                }
            }

            // The stream ended: surface its fault, if any, to the reconnect loop.
            await items.Reader.Completion;
        }
        finally
        {
            await session.CancelAsync();
            await pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await ticker.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static async Task PumpAsync(IDockerClient client, ContainerEventsParameters parameters, ChannelWriter<Item> writer, CancellationToken cancellationToken)
    {
        try
        {
            await client.System.MonitorEventsAsync(parameters, new EventSink(writer), cancellationToken);
            writer.TryComplete();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            writer.TryComplete();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            writer.TryComplete(e);
        }
    }

    private async Task TickAsync(ChannelWriter<Item> writer, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.SweepInterval, time);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            var now = time.GetTimestamp();
            var withSizes = _lastSizePass == long.MinValue || time.GetElapsedTime(_lastSizePass, now) >= options.SizeInterval;
            if (withSizes)
            {
                _lastSizePass = now;
            }

            writer.TryWrite(new SweepItem(withSizes));
        }
    }

    private async Task<ContainerSync> ListAllAsync(IDockerClient client, bool withSizes, CancellationToken cancellationToken)
    {
        var containers = await CallAsync(
            ct => client.Containers.ListContainersAsync(new ContainersListParameters { All = true, Size = withSizes }, ct),
            cancellationToken);
        var now = time.GetUtcNow();
        var sync = await rows.ReplaceAllAsync(engine.ServerId, [.. containers.Select(c => DockerPsFormat.ToRow(c, engine.ServerId, now, ""))], cancellationToken);
        if (sync.Added + sync.Removed + sync.AdoptedServers > 0 || withSizes)
        {
            feed.Publish(new MonitorChange(MonitorChangeKind.EngineResynced, engine.ServerId, engine.ServerId, "", "", "", "", now));
        }

        return sync;
    }

    private async Task ApplyAsync(IDockerClient client, EventItem e, ChannelWriter<Item> retries, CancellationToken cancellationToken)
    {
        var shortId = e.Id.Length > ShortIdLength ? e.Id[..ShortIdLength] : e.Id;
        ContainerListResponse? current = null;
        if (e.Action != "destroy")
        {
            var found = await CallAsync(
                ct => client.Containers.ListContainersAsync(
                    new ContainersListParameters
                    {
                        All = true,
                        Filters = new Dictionary<string, IDictionary<string, bool>> { ["id"] = new Dictionary<string, bool> { [e.Id] = true } },
                    },
                    ct),
                cancellationToken);
            current = found.FirstOrDefault(c => c.ID == e.Id);
        }

        var now = time.GetUtcNow();
        if (current is null)
        {
            Log.EventApplied(logger, engine.ServerId, shortId, e.Action, "removed");
            if (await rows.RemoveAsync(engine.ServerId, shortId, cancellationToken))
            {
                Publish(MonitorChangeKind.ContainerRemoved, shortId, e.Name, "removed", "", now);
            }

            return;
        }

        var row = DockerPsFormat.ToRow(current, engine.ServerId, now, "");
        await rows.UpsertAsync(engine.ServerId, row, cancellationToken);
        Log.EventApplied(logger, engine.ServerId, shortId, e.Action, row.State);
        if (!Settled(e.Action, row.State) && e.Attempt < MaxRechecks)
        {
            // The engine logs "die" a moment before its list view shows the container stopped: look again shortly.
            _ = RecheckAsync(e with { Attempt = e.Attempt + 1 }, retries, cancellationToken);
        }

        Publish(MonitorChangeKind.ContainerUpdated, shortId, row.Names, row.State, row.Status, now);
    }

    private static bool Settled(string action, string state) => action switch
    {
        "die" or "stop" => state != "running",
        "start" or "restart" or "unpause" => state is "running" or "exited" or "dead" or "restarting",
        "pause" => state == "paused",
        _ => true,
    };

    private async Task RecheckAsync(EventItem e, ChannelWriter<Item> writer, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(RecheckDelay, time, cancellationToken);
            writer.TryWrite(e);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Publish(MonitorChangeKind kind, string shortId, string name, string state, string status, DateTimeOffset now)
    {
        feed.Publish(new MonitorChange(kind, engine.ServerId, engine.ServerId, shortId, name, state, status, now));
        if (engine.ServerId == VirtualServer.HostId && ServerIdOf(name) is { } serverId)
        {
            feed.Publish(new MonitorChange(MonitorChangeKind.ServerStateChanged, serverId, engine.ServerId, shortId, name, state, status, now));
        }
    }

    private static long? ServerIdOf(string containerName) =>
        containerName.StartsWith(ServerOverviewQuery.ContainerPrefix, StringComparison.Ordinal)
        && long.TryParse(containerName.AsSpan(ServerOverviewQuery.ContainerPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
        && id != VirtualServer.HostId
            ? id
            : null;

    private async Task<T> CallAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.RequestTimeout);
        try
        {
            return await call(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The engine of server {engine.ServerId} did not answer within {options.RequestTimeout.TotalSeconds:0.#} s.");
        }
    }

    /// <summary>Events from a little before the engine's "now", so that the first list cannot miss a change.</summary>
    private static string? Since(string? systemTime) =>
        DateTimeOffset.TryParse(systemTime, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var engineNow)
            ? (engineNow - EventOverlap).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)
            : null;

    private abstract record Item;

    private sealed record EventItem(string Id, string Action, string Name, int Attempt = 0) : Item;

    private sealed record SweepItem(bool WithSizes) : Item;

    private sealed class EventSink(ChannelWriter<Item> writer) : IProgress<Message>
    {
        public void Report(Message value)
        {
            var action = value.Action ?? "";
            var id = value.Actor?.ID ?? "";
            if (id.Length == 0 || IsNoise(action))
            {
                return;
            }

            var name = value.Actor?.Attributes is { } attributes && attributes.TryGetValue("name", out var n) ? n : "";
            writer.TryWrite(new EventItem(id, action, name));
        }

        // Execs (health checks run one every interval), attaches and copies change nothing a row shows.
        private static bool IsNoise(string action) =>
            action.StartsWith("exec_", StringComparison.Ordinal)
            || action is "attach" or "detach" or "resize" or "top" or "export" or "commit" or "copy" or "archive-path" or "extract-to-dir";
    }
}
