using Microsoft.Extensions.Hosting;

namespace Berth.Core.Hosting;

/// <summary>
/// The one loop of the reconcilers: run a pass, log a failed one without ending the loop, then
/// wait for <see cref="NextWait"/> or until the loop's <see cref="WakeSignal"/> asks for a pass
/// now, whichever comes first. A failed pass is simply tried again at the next one.
/// </summary>
/// <param name="interval">The wait between passes unless <see cref="NextWait"/> says otherwise.</param>
/// <param name="clock">The loop's time, for the subclass as <see cref="Clock"/>.</param>
/// <param name="signal">Wakes the loop early (something changed); null for a loop that only runs on its interval.</param>
public abstract class ReconcileLoop(TimeSpan interval, TimeProvider clock, WakeSignal? signal = null) : BackgroundService
{
    protected TimeProvider Clock { get; } = clock;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunPassAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                OnPassFailed(e);
            }

            var wait = NextWait();
            if (signal is null)
            {
                await Task.Delay(wait, Clock, stoppingToken);
            }
            else
            {
                await signal.WaitAsync(wait, stoppingToken);
            }
        }
    }

    /// <summary>One pass of the loop; an exception is logged and the loop goes on.</summary>
    protected abstract Task RunPassAsync(CancellationToken cancellationToken);

    /// <summary>How long to wait after the pass that just ended (also after a failed one).</summary>
    protected virtual TimeSpan NextWait() => interval;

    /// <summary>Logs a failed pass with the loop's own message and event id.</summary>
    protected abstract void OnPassFailed(Exception exception);
}
