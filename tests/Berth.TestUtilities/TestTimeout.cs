namespace Berth.TestUtilities;

/// <summary>Cancellation deadlines for test steps, so that a stuck engine fails a test instead of hanging the run.</summary>
public static class TestTimeout
{
    /// <summary>A token cancelled after <paramref name="delay"/>.</summary>
    public static CancellationToken After(TimeSpan delay)
    {
        // The source is left to the timer that cancels it; disposing it early would defeat the deadline.
        var source = new CancellationTokenSource(delay);
        return source.Token;
    }

    /// <summary>A token cancelled after one minute.</summary>
    public static CancellationToken Minute => After(TimeSpan.FromMinutes(1));
}
