using System.Security.Cryptography;
using System.Text;
using Berth.Core.Data;
using Berth.Core.Settings;
using Microsoft.EntityFrameworkCore;

namespace Berth.Core.Domains.Verification;

/// <summary>
/// Each user's token for <c>_berth-verify</c> records: an HMAC of the user id under a key made once per
/// installation and kept in <c>System_Settings</c>. It is the same for all of a user's names (one record
/// value to learn) and tells nothing about the key or another user's token; another tenant cannot
/// produce it, so a record that holds it was put there by someone who controls the name's DNS for this user.
/// </summary>
public sealed class VerificationTokens(IDbContextFactory<BerthDbContext> contexts, TimeProvider clock)
{
    public const string KeySetting = "domains.verification-key";

    private byte[]? _key;

    public async Task<string> TokenForAsync(long userId, CancellationToken cancellationToken)
    {
        var key = _key ??= await KeyAsync(cancellationToken);
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes("berth-verify:user:" + userId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return "berth-verify-" + Convert.ToHexStringLower(mac.AsSpan(0, 16));
    }

    /// <summary>The installation's key; the first caller makes it (a racing second one reads the first's).</summary>
    private async Task<byte[]> KeyAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await ReadAsync(db, cancellationToken) is { } existing)
        {
            return existing;
        }

        db.Settings.Add(new SystemSetting { Key = KeySetting, Value = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), UpdatedAt = SeedTime.Now(clock) });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
        }

        return await ReadAsync(db, cancellationToken) ?? throw new InvalidOperationException("The domain verification key could not be stored.");
    }

    private static async Task<byte[]?> ReadAsync(BerthDbContext db, CancellationToken cancellationToken) =>
        await db.Settings.AsNoTracking().Where(s => s.Key == KeySetting).Select(s => s.Value).FirstOrDefaultAsync(cancellationToken) is { Length: 64 } hex
            ? Convert.FromHexString(hex)
            : null;
}
