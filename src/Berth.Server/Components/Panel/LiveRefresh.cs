using Berth.Core.Monitoring;

namespace Berth.Server.Components.Panel;

/// <summary>
/// Keeps a page current: reloads when the monitor's change feed reports a change the page cares
/// about (when the monitor runs in this process), and on a timer whose interval the page chooses
/// (short while something is in progress, long otherwise) for what the feed does not cover.
/// </summary>
internal sealed class LiveRefresh : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _timerLoop;
    private readonly Task _feedLoop;

    public LiveRefresh(IServiceProvider services, Func<MonitorChange, bool> concerns, Func<TimeSpan> interval, Func<Task> reload)
    {
        _timerLoop = TimerLoopAsync(interval, reload, _stop.Token);
        _feedLoop = services.GetService<IContainerChangeFeed>() is { } feed
            ? FeedLoopAsync(feed, concerns, reload, _stop.Token)
            : Task.CompletedTask;
    }

    private static async Task TimerLoopAsync(Func<TimeSpan> interval, Func<Task> reload, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(interval(), cancellationToken);
                await reload();
            }
        }
        catch (OperationCanceledException)
        {
            // The page went away.
        }
    }

    private static async Task FeedLoopAsync(IContainerChangeFeed feed, Func<MonitorChange, bool> concerns, Func<Task> reload, CancellationToken cancellationToken)
    {
        try
        {
            var reader = feed.Subscribe(cancellationToken);
            while (await reader.WaitToReadAsync(cancellationToken))
            {
                var relevant = false;
                while (reader.TryRead(out var change))
                {
                    relevant |= change.Kind == MonitorChangeKind.EngineResynced || concerns(change);
                }

                if (relevant)
                {
                    await reload();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The page went away.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_timerLoop, _feedLoop);
        _stop.Dispose();
    }
}
