using Berth.Core.Activity;
using Berth.Core.Data;
using Berth.Core.Errors;
using Microsoft.EntityFrameworkCore;

namespace Berth.Core.Ssh;

/// <summary>A registered key as its owner sees it.</summary>
public sealed record SshKeyView(long Id, string Name, string KeyType, string Fingerprint, string CreatedAt, string LastUsedAt)
{
    public static SshKeyView From(SshKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new(key.Id, key.Name, key.KeyType, key.Fingerprint, key.CreatedAt, key.LastUsedAt);
    }
}

/// <summary>
/// The SSH keys of one's own account: list, add, delete. Each user sees and changes only their own
/// keys; another user's key id answers exactly like a missing one.
/// </summary>
public sealed class SshKeysService(BerthDbContext db, ActivityLog activity, TimeProvider clock)
{
    private static readonly BerthException KeyNotFound = BerthException.NotFound(SshKeyRules.NotFound, "No such SSH key.");

    public async Task<List<SshKeyView>> ListAsync(long userId, CancellationToken cancellationToken)
    {
        var keys = await db.SshKeys.AsNoTracking().Where(k => k.UserId == userId).OrderBy(k => k.Id).ToListAsync(cancellationToken);
        return keys.Select(SshKeyView.From).ToList();
    }

    /// <summary>
    /// Adds a key. <paramref name="name"/> left empty takes the key's comment (or its type when it has none).
    /// The key is stored without its comment: <c>type base64</c>.
    /// </summary>
    public async Task<SshKeyView> AddAsync(long userId, string? name, string? publicKey, CancellationToken cancellationToken)
    {
        var key = SshPublicKeyParser.Parse(publicKey);
        var shownName = CheckedName(name, key);
        try
        {
            var added = await db.InWriteTransactionAsync(async ct =>
            {
                if (await db.SshKeys.AnyAsync(k => k.UserId == userId && k.Fingerprint == key.Fingerprint, ct))
                {
                    throw Duplicate(key);
                }

                if (await db.SshKeys.CountAsync(k => k.UserId == userId, ct) >= SshKeyRules.MaxKeysPerUser)
                {
                    throw BerthException.Invalid(SshKeyRules.Limit, $"An account holds at most {SshKeyRules.MaxKeysPerUser} SSH keys; delete one first.");
                }

                var row = new SshKey
                {
                    UserId = userId,
                    Name = shownName,
                    KeyType = key.Type,
                    PublicKey = key.AuthorizedKey,
                    Fingerprint = key.Fingerprint,
                    CreatedAt = SeedTime.Now(clock),
                };
                db.SshKeys.Add(row);
                activity.Add(db, userId, Message(row, "added"));
                await db.SaveChangesAsync(ct);
                return row;
            }, cancellationToken);
            return SshKeyView.From(added);
        }
        catch (DbUpdateException)
        {
            // Two requests adding the same key at once: the unique index decides, the loser hears why.
            db.ChangeTracker.Clear();
            throw Duplicate(key);
        }
    }

    public async Task DeleteAsync(long userId, long keyId, CancellationToken cancellationToken)
    {
        await db.InWriteTransactionAsync(async ct =>
        {
            var key = await db.SshKeys.FirstOrDefaultAsync(k => k.Id == keyId && k.UserId == userId, ct) ?? throw KeyNotFound;
            db.SshKeys.Remove(key);
            activity.Add(db, userId, Message(key, "deleted"));
            await db.SaveChangesAsync(ct);
            return true;
        }, cancellationToken);
    }

    /// <summary>The activity text; the panel's ActivityText translates exactly this shape.</summary>
    public static string Message(SshKey key, string verb)
    {
        ArgumentNullException.ThrowIfNull(key);
        return $"SSH key \"{key.Name}\" {verb} ({key.Fingerprint})";
    }

    private static string CheckedName(string? name, SshPublicKey key)
    {
        var chosen = string.IsNullOrWhiteSpace(name) ? DefaultName(key) : name.Trim();
        if (chosen.Length > SshKeyRules.MaxNameLength || chosen.Any(char.IsControl))
        {
            throw new BerthException(ErrorKind.Invalid, SshKeyRules.NameInvalid,
                $"A key name is at most {SshKeyRules.MaxNameLength} characters, without control characters.")
            { Reason = "name" };
        }

        return chosen;
    }

    /// <summary>The comment (usually user@host) names the key; cut to the limit, and the type when there is none.</summary>
    private static string DefaultName(SshPublicKey key)
    {
        var comment = new string(key.Comment.Where(c => !char.IsControl(c)).ToArray()).Trim();
        if (comment.Length == 0)
        {
            return key.Type;
        }

        if (comment.Length <= SshKeyRules.MaxNameLength)
        {
            return comment;
        }

        var cut = SshKeyRules.MaxNameLength;
        return char.IsHighSurrogate(comment[cut - 1]) ? comment[..(cut - 1)] : comment[..cut];
    }

    private static BerthException Duplicate(SshPublicKey key) =>
        BerthException.Conflict(SshKeyRules.Duplicate, $"This key ({key.Fingerprint}) is already in your account.");
}
