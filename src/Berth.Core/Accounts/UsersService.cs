using Berth.Core.Activity;
using Berth.Core.Data;
using Berth.Core.Errors;
using Microsoft.EntityFrameworkCore;

namespace Berth.Core.Accounts;

/// <summary>What an admin may change on a user; null leaves a field as it is.</summary>
public sealed record UserChanges(string? Email, string? Password, bool? Admin, bool? Enabled);

public sealed record OwnedServer(long Id, string Name, bool Enabled);

public sealed record UserDetails(User User, int ServerCount, IReadOnlyList<OwnedServer> Servers);

/// <summary>
/// Users administration. Guards: an admin cannot delete, disable or demote themself, and the
/// last enabled admin cannot be removed by anyone (checked inside the write transaction).
/// </summary>
public sealed class UsersService(BerthDbContext db, AccountsService accounts, SessionService sessions, ActivityLog activity)
{
    public Task<List<UserSummary>> ListAsync(CancellationToken cancellationToken) => UserListQuery.RunAsync(db, cancellationToken);

    public async Task<UserDetails> GetAsync(long userId, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, cancellationToken) ?? throw NotFound();
        var servers = await db.VirtualServers.AsNoTracking()
            .Where(s => s.OwnerId == userId && !s.Deleted)
            .OrderBy(s => s.Id)
            .Select(s => new OwnedServer(s.Id, s.Name, s.Enabled))
            .ToListAsync(cancellationToken);
        return new UserDetails(user, servers.Count, servers);
    }

    public Task<User> CreateAsync(long actorId, string email, string password, bool admin, CancellationToken cancellationToken, bool enabled = true) =>
        accounts.CreateUserAsync(email, password, admin, actorId, cancellationToken, enabled);

    public async Task<User> UpdateAsync(long actorId, long userId, UserChanges changes, CancellationToken cancellationToken)
    {
        var email = changes.Email is null ? null : EmailAddress.Normalize(changes.Email);
        if (changes.Password is not null)
        {
            PasswordHasher.EnsureAcceptable(changes.Password);
        }

        if (userId == actorId && changes.Admin == false)
        {
            throw BerthException.Conflict("CANNOT_DEMOTE_SELF", "You cannot remove your own administrator rights; ask another administrator.");
        }

        if (userId == actorId && changes.Enabled == false)
        {
            throw BerthException.Conflict("CANNOT_DISABLE_SELF", "You cannot disable your own account; ask another administrator.");
        }

        // bcrypt is slow: hash before taking the single-writer gate.
        var hash = changes.Password is null ? null : PasswordHasher.Hash(changes.Password);
        return await db.InWriteTransactionAsync(async ct =>
        {
            var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, ct) ?? throw NotFound();
            if (user.IsAdmin && user.Enabled && (changes.Admin == false || changes.Enabled == false))
            {
                await EnsureAnotherEnabledAdminAsync(userId, ct);
            }

            var changed = new List<string>();
            if (email is not null && email != user.Email)
            {
                await accounts.EnsureEmailFreeAsync(email, userId, ct);
                user.Email = email;
                changed.Add("email");
            }

            if (hash is not null)
            {
                user.Password = hash;
                changed.Add("password");
            }

            if (changes.Admin is { } admin && admin != user.IsAdmin)
            {
                user.Admin = admin;
                changed.Add(admin ? "made admin" : "admin removed");
            }

            if (changes.Enabled is { } enabled && enabled != user.Enabled)
            {
                user.Enabled = enabled;
                changed.Add(enabled ? "enabled" : "disabled");
            }

            if (changed.Count == 0)
            {
                return user;
            }

            if (hash is not null || changes.Enabled == false)
            {
                // A new password or a disabled account ends every session at once.
                await sessions.EndAllAsync(userId, keepSessionId: null, ct);
            }

            activity.Add(db, actorId, $"User {user.Email} edited: {string.Join(", ", changed)}");
            await SaveAsync(ct);
            return user;
        }, cancellationToken);
    }

    public async Task DeleteAsync(long actorId, long userId, CancellationToken cancellationToken)
    {
        if (userId == actorId)
        {
            throw BerthException.Conflict("CANNOT_DELETE_SELF", "You cannot delete your own account; ask another administrator.");
        }

        await db.InWriteTransactionAsync(async ct =>
        {
            var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, ct) ?? throw NotFound();
            if (await db.VirtualServers.AnyAsync(s => s.OwnerId == userId && !s.Deleted, ct))
            {
                throw BerthException.Conflict("USER_OWNS_SERVERS", "This user still owns virtual servers; delete or hand them over first.");
            }

            if (user.IsAdmin && user.Enabled)
            {
                await EnsureAnotherEnabledAdminAsync(userId, ct);
            }

            await sessions.EndAllAsync(userId, keepSessionId: null, ct);
            await db.RegistrationCodes.Where(c => c.UserId == userId).ExecuteDeleteAsync(ct);
            db.Users.Remove(user);
            activity.Add(db, actorId, $"User {user.Email} deleted");
            await db.SaveChangesAsync(ct);
            return true;
        }, cancellationToken);
    }

    private async Task EnsureAnotherEnabledAdminAsync(long userId, CancellationToken cancellationToken)
    {
        if (!await db.Users.AnyAsync(u => u.Id != userId && u.Admin == true && u.Enabled, cancellationToken))
        {
            throw BerthException.Conflict("LAST_ADMIN", "This is the last enabled administrator; make someone else an administrator first.");
        }
    }

    private async Task SaveAsync(CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Lost a race for the email against another writer (PostgreSQL): same answer as the pre-check.
            throw BerthException.Conflict("EMAIL_TAKEN", "Another account already uses this email.");
        }
    }

    private static BerthException NotFound() => BerthException.NotFound("USER_NOT_FOUND", "There is no such user.");
}
