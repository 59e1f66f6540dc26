using System.Collections.Concurrent;
using Berth.Core.Errors;
using Microsoft.Extensions.Options;

namespace Berth.Core.Accounts;

public sealed class LoginThrottleOptions
{
    /// <summary>Failed attempts on one account within <see cref="Window"/> before it is throttled.</summary>
    public int AccountAttempts { get; set; } = 5;

    /// <summary>Failed attempts from one client address within <see cref="Window"/> before it is throttled.</summary>
    public int AddressAttempts { get; set; } = 30;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>
/// Limits password guessing per account and per client address, in memory (a restart forgets,
/// which only helps the legitimate user). An attempt is counted before the password is checked,
/// so a burst of parallel guesses cannot slip past the limit; a success gives its attempt back.
/// Throttled requests cost no bcrypt.
/// </summary>
public sealed class LoginThrottle(TimeProvider clock, IOptions<LoginThrottleOptions> options)
{
    private const int SweepAbove = 10_000;

    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _attempts = new(StringComparer.Ordinal);

    /// <summary>Counts an attempt for every key, or throws 429 <c>TOO_MANY_ATTEMPTS</c> when any key is at its limit.</summary>
    public void Begin(string accountKey, string addressKey)
    {
        var now = clock.GetUtcNow();
        var settings = options.Value;
        SweepIfLarge(now, settings.Window);
        var account = _attempts.GetOrAdd("account:" + accountKey, _ => new Queue<DateTimeOffset>());
        var address = _attempts.GetOrAdd("address:" + addressKey, _ => new Queue<DateTimeOffset>());
        // One lock order (account, then address) everywhere, so two requests cannot deadlock.
        lock (account)
        {
            lock (address)
            {
                var wait = Max(
                    WaitFor(account, settings.AccountAttempts, now, settings.Window),
                    WaitFor(address, settings.AddressAttempts, now, settings.Window));
                if (wait > TimeSpan.Zero)
                {
                    throw BerthException.TooManyRequests("TOO_MANY_ATTEMPTS", "Too many attempts. Wait a little and try again.", wait);
                }

                account.Enqueue(now);
                address.Enqueue(now);
            }
        }
    }

    /// <summary>A successful attempt: the account starts afresh and the address gets its attempt back.</summary>
    public void Succeeded(string accountKey, string addressKey)
    {
        _attempts.TryRemove("account:" + accountKey, out _);
        if (_attempts.TryGetValue("address:" + addressKey, out var address))
        {
            lock (address)
            {
                if (address.Count > 0)
                {
                    address.Dequeue();
                }
            }
        }
    }

    private static TimeSpan WaitFor(Queue<DateTimeOffset> attempts, int limit, DateTimeOffset now, TimeSpan window)
    {
        while (attempts.Count > 0 && attempts.Peek() + window <= now)
        {
            attempts.Dequeue();
        }

        return attempts.Count >= limit ? attempts.Peek() + window - now : TimeSpan.Zero;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>Keeps memory bounded when many different emails or addresses are tried.</summary>
    private void SweepIfLarge(DateTimeOffset now, TimeSpan window)
    {
        if (_attempts.Count <= SweepAbove)
        {
            return;
        }

        foreach (var (key, attempts) in _attempts)
        {
            lock (attempts)
            {
                if (attempts.Count == 0 || attempts.Last() + window <= now)
                {
                    _attempts.TryRemove(key, out _);
                }
            }
        }
    }
}
