using System.Threading.Channels;

namespace Berth.Core.Hosting;

/// <summary>
/// Wakes a background loop early (something changed) instead of at its next periodic pass. Many
/// requests before the loop wakes fold into one pass. Each loop has its own subclass, so each is
/// its own service.
/// </summary>
public abstract class WakeSignal
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Asks for a pass now; returns at once.</summary>
    public void Request() => _channel.Writer.TryWrite(true);

    /// <summary>Waits for a request or until <paramref name="timeout"/> passes, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            await _channel.Reader.ReadAsync(timer.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The periodic pass.
        }
    }
}
