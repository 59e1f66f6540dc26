namespace Berth.Acme;

/// <summary>
/// Exponential backoff between failed issuance attempts: <c>initial × 2^(failures-1)</c>, capped,
/// and never sooner than the server's Retry-After.
/// </summary>
public static class RetryBackoff
{
    /// <summary>The default first pause: 5 minutes.</summary>
    public static readonly TimeSpan DefaultInitial = TimeSpan.FromMinutes(5);

    /// <summary>The default longest pause: 1 day.</summary>
    public static readonly TimeSpan DefaultMaximum = TimeSpan.FromDays(1);

    /// <summary>The pause after <paramref name="failures"/> consecutive failures (1 for the first).</summary>
    public static TimeSpan Delay(int failures, TimeSpan initial, TimeSpan maximum)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(initial, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maximum, initial);
        // Past 2^40 the product overflows TimeSpan long before it matters: the cap applies.
        var exponent = Math.Min(failures - 1, 40);
        var ticks = initial.Ticks * Math.Pow(2, exponent);
        return ticks >= maximum.Ticks ? maximum : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>
    /// When to try again after the latest of <paramref name="failures"/> consecutive failures, which
    /// happened at <paramref name="failedAt"/>, with the default initial and maximum pauses.
    /// </summary>
    public static DateTimeOffset NextAttemptAt(DateTimeOffset failedAt, int failures, TimeSpan? retryAfter = null) =>
        NextAttemptAt(failedAt, failures, DefaultInitial, DefaultMaximum, retryAfter);

    /// <summary>When to try again, with explicit initial and maximum pauses.</summary>
    public static DateTimeOffset NextAttemptAt(DateTimeOffset failedAt, int failures, TimeSpan initial, TimeSpan maximum, TimeSpan? retryAfter = null)
    {
        var delay = Delay(failures, initial, maximum);
        if (retryAfter is { } serverAsked && serverAsked > delay)
        {
            delay = serverAsked;
        }

        return failedAt + delay;
    }

    /// <summary>Whether an attempt is allowed now.</summary>
    public static bool IsAttemptDue(DateTimeOffset nextAttemptAt, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        return timeProvider.GetUtcNow() >= nextAttemptAt;
    }
}
