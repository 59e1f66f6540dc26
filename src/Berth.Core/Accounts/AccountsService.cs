using System.Security.Cryptography;
using Berth.Core.Activity;
using Berth.Core.Data;
using Berth.Core.Errors;
using Microsoft.EntityFrameworkCore;

namespace Berth.Core.Accounts;

/// <summary>Creating users and setting passwords: the rules shared by the CLI, the API and the panel.</summary>
public sealed class AccountsService(BerthDbContext db, ActivityLog activity, PasswordVerifier passwords, SessionService sessions, LoginThrottle throttle)
{
    public const string InitialAdminEmail = "admin@admin.com";

    /// <summary>
    /// While no user exists, creates <see cref="InitialAdminEmail"/> with <paramref name="password"/>,
    /// or with a random one-time password that is returned so it can be shown once. Null when users exist.
    /// </summary>
    public async Task<string?> EnsureInitialAdminAsync(string? password, CancellationToken cancellationToken)
    {
        if (await db.Users.AnyAsync(cancellationToken))
        {
            return null;
        }

        var chosen = string.IsNullOrEmpty(password) ? GeneratePassword() : password;
        await CreateUserAsync(InitialAdminEmail, chosen, admin: true, actorId: 0, cancellationToken);
        return chosen;
    }

    /// <summary>A new account; <paramref name="enabled"/> false creates it disabled (an admin preparing accounts ahead of a course).</summary>
    public async Task<User> CreateUserAsync(string email, string password, bool admin, long actorId, CancellationToken cancellationToken, bool enabled = true)
    {
        var normalized = EmailAddress.Normalize(email);
        PasswordHasher.EnsureAcceptable(password);
        await EnsureEmailFreeAsync(normalized, exceptUserId: null, cancellationToken);

        var user = new User { Email = normalized, Password = PasswordHasher.Hash(password), Admin = admin, Enabled = enabled };
        return await db.InWriteTransactionAsync(async ct =>
        {
            db.Users.Add(user);
            await SaveAsync(ct);
            // Actor 0 is the platform itself (first start, CLI): the row is filed under the new user.
            activity.Add(db, actorId == 0 ? user.Id : actorId, enabled ? $"User {normalized} created" : $"User {normalized} created (disabled)");
            await db.SaveChangesAsync(ct);
            return user;
        }, cancellationToken);
    }

    public async Task SetPasswordAsync(string email, string password, CancellationToken cancellationToken)
    {
        var normalized = EmailAddress.Normalize(email);
        PasswordHasher.EnsureAcceptable(password);
        var user = await db.Users.FirstOrDefaultAsync(UserQueries.HasEmail(normalized), cancellationToken)
            ?? throw BerthException.NotFound("USER_NOT_FOUND", $"No user has the email {normalized}.");
        user.Password = PasswordHasher.Hash(password);
        await db.InWriteTransactionAsync(async ct =>
        {
            await sessions.EndAllAsync(user.Id, keepSessionId: null, ct);
            activity.Add(db, user.Id, $"Password of {normalized} reset by an operator");
            await db.SaveChangesAsync(ct);
            return true;
        }, cancellationToken);
    }

    public async Task<User> GetAsync(long userId, CancellationToken cancellationToken) =>
        await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, cancellationToken)
        ?? throw BerthException.Unauthenticated("UNAUTHENTICATED", "Sign in first.");

    /// <summary>Changes the caller's own password; every other session of theirs ends.</summary>
    public async Task ChangePasswordAsync(long userId, long currentSessionId, string currentPassword, string newPassword, string clientAddress, CancellationToken cancellationToken)
    {
        PasswordHasher.EnsureAcceptable(newPassword, "new password");
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken)
            ?? throw BerthException.Unauthenticated("UNAUTHENTICATED", "Sign in first.");
        // A stolen session must not become a way to guess the password without the login's limits.
        var accountKey = user.Email.ToLowerInvariant();
        var attempt = new LoginAttempt(accountKey, clientAddress);
        throttle.Begin(attempt);
        if (!passwords.Verify(currentPassword, user.Password))
        {
            throw BerthException.Invalid("WRONG_PASSWORD", "The current password is not correct.");
        }

        throttle.Succeeded(attempt);

        user.Password = PasswordHasher.Hash(newPassword);
        await db.InWriteTransactionAsync(async ct =>
        {
            await sessions.EndAllAsync(userId, currentSessionId, ct);
            activity.Add(db, userId, "Password changed");
            await db.SaveChangesAsync(ct);
            return true;
        }, cancellationToken);
    }

    internal async Task EnsureEmailFreeAsync(string normalizedEmail, long? exceptUserId, CancellationToken cancellationToken)
    {
        if (await db.Users.Where(UserQueries.HasEmail(normalizedEmail)).AnyAsync(u => u.Id != exceptUserId, cancellationToken))
        {
            throw BerthException.Conflict("EMAIL_TAKEN", "Another account already uses this email.");
        }
    }

    /// <summary>Saves, turning a lost uniqueness race into the same answer as the pre-check.</summary>
    private async Task SaveAsync(CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            throw BerthException.Conflict("EMAIL_TAKEN", "Another account already uses this email.");
        }
    }

    private static string GeneratePassword() =>
        RandomNumberGenerator.GetString("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789", 20);
}
