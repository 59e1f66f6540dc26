namespace Berth.Acme;

/// <summary>
/// A sliding-window count of new orders, so that a loop in the caller (a renewal storm, a flapping
/// domain) hits this client's limit before it hits the CA's, which can lock an account out for hours.
/// </summary>
internal sealed class OrderRateLimiter(int maxOrders, TimeSpan window, TimeProvider timeProvider)
{
    private readonly Queue<DateTimeOffset> _placed = new();
    private readonly Lock _lock = new();

    /// <summary>Takes one slot, or says when the oldest one frees.</summary>
    public bool TryAcquire(out TimeSpan retryAfter)
    {
        var now = timeProvider.GetUtcNow();
        lock (_lock)
        {
            while (_placed.Count > 0 && _placed.Peek() <= now - window)
            {
                _placed.Dequeue();
            }

            if (_placed.Count >= maxOrders)
            {
                retryAfter = _placed.Peek() + window - now;
                return false;
            }

            _placed.Enqueue(now);
            retryAfter = TimeSpan.Zero;
            return true;
        }
    }
}
