namespace Berth.TestUtilities;

/// <summary>
/// The one way tests wait for something the system does on its own: ask again and again until the
/// answer is the expected one or a deadline passes. The deadline only bounds a stuck run; no outcome
/// depends on how long anything took (timing goals live in bench/).
/// </summary>
public static class Poll
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Calls <paramref name="probe"/> until <paramref name="done"/> holds for its answer or
    /// <paramref name="timeout"/> passes; returns the last answer either way, so the caller asserts on it
    /// and a failure shows what was last seen.
    /// </summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null, TimeSpan? interval = null)
    {
        var started = TimeProvider.System.GetTimestamp();
        var limit = timeout ?? DefaultTimeout;
        while (true)
        {
            var answer = await probe();
            if (done(answer) || TimeProvider.System.GetElapsedTime(started) >= limit)
            {
                return answer;
            }

            await Task.Delay(interval ?? DefaultInterval);
        }
    }

    /// <summary>Calls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes; returns whether it held.</summary>
    public static Task<bool> UntilAsync(Func<Task<bool>> condition, TimeSpan? timeout = null, TimeSpan? interval = null) =>
        UntilAsync(condition, held => held, timeout, interval);

    /// <summary>Checks <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes; returns whether it held.</summary>
    public static Task<bool> UntilAsync(Func<bool> condition, TimeSpan? timeout = null, TimeSpan? interval = null) =>
        UntilAsync(() => Task.FromResult(condition()), held => held, timeout, interval);

    /// <summary>
    /// Like <see cref="UntilAsync{T}(Func{Task{T}}, Func{T, bool}, TimeSpan?, TimeSpan?)"/> for a probe that
    /// fails while the thing is not there yet: an exception of type <typeparamref name="TNotYet"/> counts as
    /// "not yet" until the deadline, and is thrown from the last attempt.
    /// </summary>
    public static async Task<T> UntilAsync<T, TNotYet>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null, TimeSpan? interval = null)
        where TNotYet : Exception
    {
        var started = TimeProvider.System.GetTimestamp();
        var limit = timeout ?? DefaultTimeout;
        while (true)
        {
            try
            {
                var answer = await probe();
                if (done(answer) || TimeProvider.System.GetElapsedTime(started) >= limit)
                {
                    return answer;
                }
            }
            catch (TNotYet) when (TimeProvider.System.GetElapsedTime(started) < limit)
            {
                // Not there yet: ask again.
            }

            await Task.Delay(interval ?? DefaultInterval);
        }
    }
}
