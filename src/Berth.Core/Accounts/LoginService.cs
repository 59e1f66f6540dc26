using Berth.Core.Activity;
using Berth.Core.Data;
using Berth.Core.Errors;
using Microsoft.EntityFrameworkCore;

namespace Berth.Core.Accounts;

public sealed record LoginResult(User User, string Token);

/// <summary>A browser's proof of an earlier sign-in to <paramref name="Account"/> (a device cookie the caller verified): its id for the throttle.</summary>
public sealed record LoginDevice(string Account, string Id);

/// <summary>
/// Email + password sign-in. Unknown email, wrong password and disabled account take the same
/// path (one database read, one bcrypt run) and fail with the same <c>INVALID_CREDENTIALS</c>.
/// </summary>
public sealed class LoginService(
    BerthDbContext db,
    PasswordVerifier passwords,
    LoginThrottle throttle,
    SessionService sessions,
    ActivityLog activity,
    TimeProvider clock)
{
    /// <summary>
    /// Signs in; the session the client held before (<c>previousToken</c>) ends, so a login always rotates
    /// the session. A <paramref name="device"/> for this account puts the attempt under the browser's own
    /// limit instead of its address's and account's (docs/accounts.md, "Throttling").
    /// </summary>
    public async Task<LoginResult> LoginAsync(string email, string password, string clientAddress, string? previousToken, CancellationToken cancellationToken, LoginDevice? device = null)
    {
        // Not validated as an address: a malformed email must look exactly like an unknown one.
        var normalized = email.Trim().ToLowerInvariant();
        var possible = normalized.Length is > 0 and <= EmailAddress.MaxLength;
        // Impossible emails share one throttle key, so huge ones cannot make the throttle's memory grow.
        var accountKey = possible ? normalized : "";
        var attempt = new LoginAttempt(accountKey, clientAddress, possible && device?.Account == accountKey ? device.Id : null);
        throttle.Begin(attempt);

        var user = possible
            ? await db.Users.AsNoTracking().FirstOrDefaultAsync(UserQueries.HasEmail(normalized), cancellationToken)
            : null;
        var passwordMatches = passwords.Verify(password, user?.Password);
        if (user is null || !passwordMatches || !user.Enabled)
        {
            throw BerthException.Unauthenticated("INVALID_CREDENTIALS", "The email or password is not correct.");
        }

        throttle.Succeeded(attempt);
        var previousHash = previousToken is null ? null : SessionService.HashToken(previousToken);
        var token = await db.InWriteTransactionAsync(async ct =>
        {
            if (previousHash is not null)
            {
                await db.Sessions.Where(s => s.TokenHash == previousHash).ExecuteDeleteAsync(ct);
            }

            await sessions.PurgeExpiredAsync(user.Id, ct);
            var lastLogin = SeedTime.Now(clock);
            await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.LastLogin, lastLogin), ct);
            user.LastLogin = lastLogin;
            var started = sessions.Start(user.Id, clientAddress);
            activity.Add(db, user.Id, $"User {user.Email} logged in (IP: {clientAddress})");
            await db.SaveChangesAsync(ct);
            return started;
        }, cancellationToken);
        return new LoginResult(user, token);
    }
}
