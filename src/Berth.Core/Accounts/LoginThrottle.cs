using Berth.Core.Errors;
using Microsoft.Extensions.Options;

namespace Berth.Core.Accounts;

/// <summary>
/// The limits of <see cref="LoginThrottle"/> (docs/accounts.md, "Throttling"). Counts are of failed
/// attempts within <see cref="Window"/>; a success takes back the failures it explains.
/// </summary>
public sealed class LoginThrottleOptions
{
    public const string Section = "Accounts:Throttle";

    /// <summary>Failures on one account from one client address before that pair must wait for the window.</summary>
    public int PairAttempts { get; set; } = 5;

    /// <summary>Failures from one client address (any accounts) before each further attempt from it must wait, longer and longer.</summary>
    public int AddressSlowAfter { get; set; } = 20;

    /// <summary>Failures on one account (from anywhere) before each further attempt on it must wait, longer and longer; never a lock-out.</summary>
    public int AccountSlowAfter { get; set; } = 10;

    /// <summary>Failures from one trusted browser (device cookie) on its account before that browser must wait for the window.</summary>
    public int DeviceAttempts { get; set; } = 10;

    /// <summary>The longest wait the progressive delays ask for.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>Checked at start (the monitor's options are the example): every failure names the setting.</summary>
internal sealed class LoginThrottleOptionsValidation : IValidateOptions<LoginThrottleOptions>
{
    public ValidateOptionsResult Validate(string? name, LoginThrottleOptions options)
    {
        var failures = new List<string>();
        AtLeastOne(options.PairAttempts, nameof(LoginThrottleOptions.PairAttempts));
        AtLeastOne(options.AddressSlowAfter, nameof(LoginThrottleOptions.AddressSlowAfter));
        AtLeastOne(options.AccountSlowAfter, nameof(LoginThrottleOptions.AccountSlowAfter));
        AtLeastOne(options.DeviceAttempts, nameof(LoginThrottleOptions.DeviceAttempts));
        Positive(options.Window, nameof(LoginThrottleOptions.Window));
        Positive(options.MaxDelay, nameof(LoginThrottleOptions.MaxDelay));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void AtLeastOne(int value, string key)
        {
            if (value < 1)
            {
                failures.Add($"{LoginThrottleOptions.Section}:{key} must be at least 1 (was {value}).");
            }
        }

        void Positive(TimeSpan value, string key)
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"{LoginThrottleOptions.Section}:{key} must be positive (was {value}).");
            }
        }
    }
}

/// <summary>One sign-in attempt as the throttle sees it: the account tried, the client's address, and the browser's device id when it holds a valid device cookie for that account.</summary>
public readonly record struct LoginAttempt(string Account, string Address, string? Device = null);

/// <summary>
/// Fair password-guessing limits, after OWASP's authentication guidance: nobody can lock an account
/// out from elsewhere, and many people behind one address do not shut each other out.
/// <list type="bullet">
/// <item>A browser that signed in to the account before (device cookie) is judged only by its own
/// failures: an attack from elsewhere never stops it.</item>
/// <item>Otherwise an account and address pair gets <see cref="LoginThrottleOptions.PairAttempts"/>
/// failures per window; an address that fails on many accounts (credential stuffing) and an account
/// failed on from many addresses are slowed by waits that double with every failure past their
/// threshold, up to <see cref="LoginThrottleOptions.MaxDelay"/>.</item>
/// <item>A success takes back the failures it explains (that account's from that address, the
/// account's own): a classroom behind one address where everyone mistypes once stays well
/// below the address's threshold.</item>
/// </list>
/// An attempt is counted before the password is checked, so a burst of parallel guesses cannot slip
/// past a limit, and a refused attempt costs no bcrypt. In memory: a restart forgets, which only helps
/// the legitimate user.
/// </summary>
public sealed class LoginThrottle(TimeProvider clock, IOptions<LoginThrottleOptions> options)
{
    private const int SweepAbove = 10_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<(DateTimeOffset At, string Account)>> _failures = new(StringComparer.Ordinal);

    /// <summary>Counts an attempt, or throws 429 <c>TOO_MANY_ATTEMPTS</c> with the wait when a limit applies.</summary>
    public void Begin(LoginAttempt attempt)
    {
        var now = clock.GetUtcNow();
        var settings = options.Value;
        lock (_gate)
        {
            SweepIfLarge(now, settings.Window);
            var wait = attempt.Device is { } device
                ? HardWait(Recent(DeviceKey(device), now, settings.Window), settings.DeviceAttempts, settings.Window, now)
                : Max(
                    HardWait(Recent(PairKey(attempt), now, settings.Window), settings.PairAttempts, settings.Window, now),
                    Max(
                        ProgressiveWait(Recent(AddressKey(attempt), now, settings.Window), settings.AddressSlowAfter, settings.MaxDelay, now),
                        ProgressiveWait(Recent(AccountKey(attempt), now, settings.Window), settings.AccountSlowAfter, settings.MaxDelay, now)));
            if (wait > TimeSpan.Zero)
            {
                // The same answer whether the account exists or not.
                throw BerthException.TooManyRequests("TOO_MANY_ATTEMPTS", "Too many attempts. Wait a little and try again.", wait);
            }

            foreach (var key in KeysOf(attempt))
            {
                Entries(key).Add((now, attempt.Account));
            }
        }
    }

    /// <summary>The password was right: the failures this success explains are taken back.</summary>
    public void Succeeded(LoginAttempt attempt)
    {
        lock (_gate)
        {
            _failures.Remove(PairKey(attempt));
            _failures.Remove(AccountKey(attempt));
            if (attempt.Device is { } device)
            {
                _failures.Remove(DeviceKey(device));
            }

            if (_failures.TryGetValue(AddressKey(attempt), out var address))
            {
                address.RemoveAll(f => f.Account == attempt.Account);
            }
        }
    }

    private static IEnumerable<string> KeysOf(LoginAttempt attempt) =>
        attempt.Device is { } device ? [DeviceKey(device)] : [PairKey(attempt), AddressKey(attempt), AccountKey(attempt)];

    private static string DeviceKey(string device) => "device\n" + device;

    private static string PairKey(LoginAttempt attempt) => "pair\n" + attempt.Account + "\n" + attempt.Address;

    private static string AddressKey(LoginAttempt attempt) => "address\n" + attempt.Address;

    private static string AccountKey(LoginAttempt attempt) => "account\n" + attempt.Account;

    private List<(DateTimeOffset At, string Account)> Entries(string key)
    {
        if (!_failures.TryGetValue(key, out var entries))
        {
            entries = [];
            _failures[key] = entries;
        }

        return entries;
    }

    private List<(DateTimeOffset At, string Account)> Recent(string key, DateTimeOffset now, TimeSpan window)
    {
        if (!_failures.TryGetValue(key, out var entries))
        {
            return [];
        }

        entries.RemoveAll(f => f.At + window <= now);
        return entries;
    }

    /// <summary>At the limit: wait until the oldest failure leaves the window.</summary>
    private static TimeSpan HardWait(List<(DateTimeOffset At, string Account)> failures, int limit, TimeSpan window, DateTimeOffset now) =>
        failures.Count >= limit ? failures[0].At + window - now : TimeSpan.Zero;

    /// <summary>Past the threshold: the gap since the last failure must be 1 s, 2 s, 4 s, ... (capped) for the 1st, 2nd, 3rd, ... failure past it.</summary>
    private static TimeSpan ProgressiveWait(List<(DateTimeOffset At, string Account)> failures, int threshold, TimeSpan maxDelay, DateTimeOffset now)
    {
        if (failures.Count < threshold)
        {
            return TimeSpan.Zero;
        }

        var doublings = Math.Min(failures.Count - threshold, 30);
        var gap = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, doublings), maxDelay.TotalSeconds));
        var wait = failures[^1].At + gap - now;
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>Keeps memory bounded when many different emails or addresses are tried.</summary>
    private void SweepIfLarge(DateTimeOffset now, TimeSpan window)
    {
        if (_failures.Count <= SweepAbove)
        {
            return;
        }

        foreach (var key in _failures.Where(f => f.Value.Count == 0 || f.Value[^1].At + window <= now).Select(f => f.Key).ToList())
        {
            _failures.Remove(key);
        }
    }
}
