using System.Threading.Channels;

namespace Berth.Core.Domains;

/// <summary>
/// Tells the edge that domain names changed, so that its routes are rebuilt now rather than on the
/// next periodic pass. Many requests fold into one rebuild.
/// </summary>
public sealed class EdgeRoutesSignal
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Asks for a rebuild of the edge's routes; returns at once.</summary>
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
