namespace Berth.Acme;

/// <summary>Limits and timings of an <see cref="AcmeClient"/>. The defaults suit a public CA.</summary>
public sealed class AcmeClientOptions
{
    /// <summary>How many times one request is re-sent with a fresh nonce after <c>badNonce</c>. Default 5.</summary>
    public int BadNonceRetries { get; set; } = 5;

    /// <summary>How long to wait for an authorization or an order to leave a pending state. Default 2 minutes.</summary>
    public TimeSpan PollTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The pause between polls when the server sends no Retry-After. Default 1 second.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest pause between polls, whatever Retry-After says. Default 10 seconds.</summary>
    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How many new orders this client places per <see cref="OrderWindow"/> before refusing with
    /// <see cref="AcmeErrorTypes.RateLimited"/>. Default 300, Let's Encrypt's published limit per 3 hours.
    /// </summary>
    public int MaxOrdersPerWindow { get; set; } = 300;

    /// <summary>The sliding window of <see cref="MaxOrdersPerWindow"/>. Default 3 hours.</summary>
    public TimeSpan OrderWindow { get; set; } = TimeSpan.FromHours(3);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(BadNonceRetries, nameof(BadNonceRetries));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PollTimeout, TimeSpan.Zero, nameof(PollTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PollInterval, TimeSpan.Zero, nameof(PollInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPollInterval, PollInterval, nameof(MaxPollInterval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MaxOrdersPerWindow, 0, nameof(MaxOrdersPerWindow));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(OrderWindow, TimeSpan.Zero, nameof(OrderWindow));
    }
}
