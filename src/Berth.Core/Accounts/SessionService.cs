using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Berth.Core.Activity;
using Berth.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Berth.Core.Accounts;

/// <summary>Who a valid session belongs to, read fresh from the database on every request.</summary>
public sealed record SessionPrincipal(long SessionId, long UserId, string Email, bool Admin);

/// <summary>
/// Server-side sessions. The client holds a random token; the database holds its SHA-256 hash,
/// so ending a session (logout, disable, password change, delete) takes effect on the next request.
/// </summary>
public sealed class SessionService(BerthDbContext db, TimeProvider clock, ActivityLog activity)
{
    /// <summary>A session unused for this long ends.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromDays(7);

    /// <summary>No session lives longer than this, used or not.</summary>
    public static readonly TimeSpan AbsoluteLifetime = TimeSpan.FromDays(30);

    /// <summary>Last-seen is written at most this often, so most requests stay pure reads.</summary>
    public static readonly TimeSpan TouchInterval = TimeSpan.FromMinutes(1);

    /// <summary>Tokens are 32 random bytes in base64url: 43 characters.</summary>
    private const int TokenLength = 43;

    public static string HashToken(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Adds a new session to the caller's unit of work and returns its token; the caller saves.</summary>
    internal string Start(long userId, string clientAddress)
    {
        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow();
        db.Sessions.Add(new Session
        {
            TokenHash = HashToken(token),
            UserId = userId,
            CreatedAt = SeedTime.ToText(now),
            LastSeenAt = SeedTime.ToText(now),
            ExpiresAt = SeedTime.ToText(now + IdleTimeout),
            ClientAddress = clientAddress,
        });
        return token;
    }

    public async Task<SessionPrincipal?> ValidateAsync(string? token, CancellationToken cancellationToken)
    {
        if (token is null || token.Length != TokenLength)
        {
            return null;
        }

        var hash = HashToken(token);
        var now = clock.GetUtcNow();
        var nowText = SeedTime.ToText(now);
        var found = await db.Sessions.AsNoTracking()
            .Where(s => s.TokenHash == hash)
            .Join(db.Users, s => s.UserId, u => u.Id, (s, u) => new { s.Id, s.UserId, s.CreatedAt, s.LastSeenAt, s.ExpiresAt, u.Email, u.Admin, u.Enabled })
            .FirstOrDefaultAsync(cancellationToken);
        if (found is null || !found.Enabled || string.CompareOrdinal(found.ExpiresAt, nowText) <= 0)
        {
            return null;
        }

        if (SeedTime.Parse(found.LastSeenAt) is not { } lastSeen || now - lastSeen >= TouchInterval)
        {
            var created = SeedTime.Parse(found.CreatedAt) ?? now;
            var expires = SeedTime.ToText(Min(now + IdleTimeout, created + AbsoluteLifetime));
            await db.InWriteTransactionAsync(
                ct => db.Sessions.Where(s => s.Id == found.Id)
                    .ExecuteUpdateAsync(u => u.SetProperty(s => s.LastSeenAt, nowText).SetProperty(s => s.ExpiresAt, expires), ct),
                cancellationToken);
        }

        return new SessionPrincipal(found.Id, found.UserId, found.Email, found.Admin == true);
    }

    /// <summary>
    /// The session with this id while it is live (not ended, not expired, its user enabled), read
    /// fresh: a long-lived panel connection does not send its cookie again, so it asks by id.
    /// </summary>
    public async Task<SessionPrincipal?> FindActiveAsync(long sessionId, CancellationToken cancellationToken)
    {
        var nowText = SeedTime.Now(clock);
        var found = await db.Sessions.AsNoTracking()
            .Where(s => s.Id == sessionId && s.ExpiresAt.CompareTo(nowText) > 0)
            .Join(db.Users, s => s.UserId, u => u.Id, (s, u) => new { s.Id, s.UserId, u.Email, u.Admin, u.Enabled })
            .FirstOrDefaultAsync(cancellationToken);
        return found is { Enabled: true } ? new SessionPrincipal(found.Id, found.UserId, found.Email, found.Admin == true) : null;
    }

    /// <summary>Ends the session holding <paramref name="token"/>, if any.</summary>
    public async Task EndAsync(string? token, CancellationToken cancellationToken)
    {
        if (token is null || token.Length != TokenLength)
        {
            return;
        }

        var hash = HashToken(token);
        await db.InWriteTransactionAsync(async ct =>
        {
            var owner = await db.Sessions.Where(s => s.TokenHash == hash).Join(db.Users, s => s.UserId, u => u.Id, (s, u) => new { s.UserId, u.Email }).FirstOrDefaultAsync(ct);
            if (await db.Sessions.Where(s => s.TokenHash == hash).ExecuteDeleteAsync(ct) > 0 && owner is not null)
            {
                // Like the login's row: who, so the account's history shows when a session ended on purpose.
                activity.Add(db, owner.UserId, $"User {owner.Email} logged out");
                await db.SaveChangesAsync(ct);
            }

            return true;
        }, cancellationToken);
    }

    /// <summary>Ends every session of a user except <paramref name="keepSessionId"/>, inside the caller's transaction.</summary>
    internal Task<int> EndAllAsync(long userId, long? keepSessionId, CancellationToken cancellationToken) =>
        db.Sessions.Where(s => s.UserId == userId && s.Id != keepSessionId).ExecuteDeleteAsync(cancellationToken);

    /// <summary>Drops the user's sessions that have run out, so rows do not pile up.</summary>
    internal Task<int> PurgeExpiredAsync(long userId, CancellationToken cancellationToken)
    {
        var nowText = SeedTime.Now(clock);
        return db.Sessions.Where(s => s.UserId == userId && s.ExpiresAt.CompareTo(nowText) <= 0).ExecuteDeleteAsync(cancellationToken);
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
