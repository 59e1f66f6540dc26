using System.Security.Cryptography;
using Berth.Core.Activity;
using Berth.Core.Data;
using Berth.Core.Errors;
using Microsoft.EntityFrameworkCore;

namespace Berth.Core.Accounts;

/// <summary>
/// Invitations: an admin's one live code (8 characters A–Z0–9, valid 30 minutes) and
/// registration with it. Unknown, expired and used codes fail alike.
/// </summary>
public sealed class RegistrationCodesService(
    BerthDbContext db,
    ActivityLog activity,
    LoginThrottle throttle,
    TimeProvider clock)
{
    public const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    public const int Length = 8;
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);

    /// <summary>A new code colliding with a live one is vanishingly rare (36^8); a few retries make it impossible in practice.</summary>
    private const int Attempts = 5;

    /// <summary>The admin's live code, or null; expired codes of everyone are purged first (seed 7.2).</summary>
    public async Task<RegistrationCode?> GetAsync(long adminId, CancellationToken cancellationToken)
    {
        await RegistrationCodeMaintenance.PurgeExpiredAsync(db, clock, cancellationToken);
        return await db.RegistrationCodes.AsNoTracking().FirstOrDefaultAsync(c => c.UserId == adminId, cancellationToken);
    }

    /// <summary>Generates a code for the admin, replacing the one they had.</summary>
    public async Task<RegistrationCode> GenerateAsync(long adminId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await db.InWriteTransactionAsync(async ct =>
                {
                    await db.RegistrationCodes.Where(c => c.UserId == adminId).ExecuteDeleteAsync(ct);
                    var code = new RegistrationCode
                    {
                        UserId = adminId,
                        Code = RandomNumberGenerator.GetString(Alphabet, Length),
                        ValidUntil = (clock.GetUtcNow() + Lifetime).ToUnixTimeSeconds(),
                    };
                    db.RegistrationCodes.Add(code);
                    activity.Add(db, adminId, "Registration code generated");
                    await db.SaveChangesAsync(ct);
                    return code;
                }, cancellationToken);
            }
            catch (DbUpdateException) when (attempt < Attempts)
            {
                // A code collision, or the same admin generating twice at once: draw again.
                db.ChangeTracker.Clear();
            }
            catch (DbUpdateException)
            {
                db.ChangeTracker.Clear();
                throw BerthException.Unavailable("REGISTRATION_CODE_BUSY", "No registration code could be generated right now; try again.");
            }
        }
    }

    public async Task RevokeAsync(long adminId, CancellationToken cancellationToken) =>
        await db.InWriteTransactionAsync(async ct =>
        {
            if (await db.RegistrationCodes.Where(c => c.UserId == adminId).ExecuteDeleteAsync(ct) > 0)
            {
                activity.Add(db, adminId, "Registration code revoked");
                await db.SaveChangesAsync(ct);
            }

            return true;
        }, cancellationToken);

    /// <summary>Creates an enabled, non-admin user and consumes the code.</summary>
    public async Task<User> RegisterAsync(string code, string email, string password, string clientAddress, CancellationToken cancellationToken)
    {
        var normalizedEmail = EmailAddress.Normalize(email);
        PasswordHasher.EnsureAcceptable(password);
        var normalizedCode = code.Trim().ToUpperInvariant();
        // Guessing codes is throttled per address like guessing passwords (malformed codes share one key).
        var codeKey = "registration:" + (normalizedCode.Length == Length ? normalizedCode : "");
        var attempt = new LoginAttempt(codeKey, "registration:" + clientAddress);
        throttle.Begin(attempt);

        // Checked before bcrypt so that a bad code costs no hashing; checked again in the transaction.
        if (await GetLiveAsync(normalizedCode, cancellationToken) is null)
        {
            throw InvalidCode();
        }

        var hash = PasswordHasher.Hash(password);
        var user = await db.InWriteTransactionAsync(async ct =>
        {
            var live = await GetLiveAsync(normalizedCode, ct) ?? throw InvalidCode();
            if (await db.Users.AnyAsync(UserQueries.HasEmail(normalizedEmail), ct))
            {
                throw BerthException.Conflict("EMAIL_TAKEN", "Another account already uses this email.");
            }

            var created = new User { Email = normalizedEmail, Password = hash, Admin = false, Enabled = true };
            db.Users.Add(created);
            db.RegistrationCodes.Remove(live);
            await db.SaveChangesAsync(ct);
            activity.Add(db, created.Id, $"User {normalizedEmail} registered with a code (IP: {clientAddress})");
            await db.SaveChangesAsync(ct);
            return created;
        }, cancellationToken);
        throttle.Succeeded(attempt);
        return user;
    }

    private async Task<RegistrationCode?> GetLiveAsync(string normalizedCode, CancellationToken cancellationToken)
    {
        if (normalizedCode.Length != Length)
        {
            return null;
        }

        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        return await db.RegistrationCodes.FirstOrDefaultAsync(c => c.Code == normalizedCode && c.ValidUntil >= now, cancellationToken);
    }

    private static BerthException InvalidCode() =>
        BerthException.Invalid("INVALID_REGISTRATION_CODE", "This registration code is not valid. Ask an administrator for a new one.");
}
