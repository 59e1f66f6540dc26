using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Berth.Core.Terminal;

/// <summary>A minted ticket: its text and when it stops being valid.</summary>
public sealed record ConnectionTicket(string Value, DateTimeOffset ExpiresAt);

/// <summary>
/// One-time tickets for long-lived connections a browser opens without custom headers (a WebSocket
/// cannot carry the CSRF header): an authenticated, CSRF-checked request mints one for one user,
/// one server and one purpose; the connection redeems it once, within its lifetime (at most 30 s).
/// 32 random bytes, base64url; kept in memory only (a restart invalidates them, which is fine for 30 s).
/// </summary>
public sealed class ConnectionTickets(TimeProvider time, IOptions<TerminalOptions> options)
{
    private readonly ConcurrentDictionary<string, Entry> _tickets = new(StringComparer.Ordinal);

    public ConnectionTicket Mint(long userId, long serverId, string purpose)
    {
        var now = time.GetUtcNow();
        foreach (var (key, entry) in _tickets)
        {
            if (entry.ExpiresAt <= now)
            {
                _tickets.TryRemove(key, out _);
            }
        }

        var value = Base64Url(RandomNumberGenerator.GetBytes(32));
        var expiresAt = now + options.Value.TicketLifetime;
        _tickets[value] = new Entry(userId, serverId, purpose, expiresAt);
        return new ConnectionTicket(value, expiresAt);
    }

    /// <summary>
    /// Uses the ticket up (whatever the outcome: a ticket shown to the wrong place is burnt) and says
    /// whether it was valid now for this user, server and purpose.
    /// </summary>
    public bool Redeem(string? value, long userId, long serverId, string purpose)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 128 || !_tickets.TryRemove(value, out var entry))
        {
            return false;
        }

        return entry.UserId == userId && entry.ServerId == serverId && entry.Purpose == purpose && time.GetUtcNow() < entry.ExpiresAt;
    }

    internal static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private sealed record Entry(long UserId, long ServerId, string Purpose, DateTimeOffset ExpiresAt);
}
