using System.Text;

namespace Berth.Core.Accounts;

/// <summary>
/// Every password check of a running Berth goes through this one instance, so the number of
/// bcrypt runs is observable: one per login attempt whatever the outcome is the promise that
/// keeps timing from telling a wrong password from an unknown email.
/// </summary>
public sealed class PasswordVerifier
{
    private long _verifications;

    /// <summary>bcrypt verifications done since start.</summary>
    public long Verifications => Interlocked.Read(ref _verifications);

    /// <summary>Exactly one bcrypt run; false for a missing hash or a password no account can have.</summary>
    public bool Verify(string password, string? hash)
    {
        Interlocked.Increment(ref _verifications);
        // bcrypt ignores bytes past 72, so such a password could match a shorter one; it is
        // checked against the dummy hash instead, which costs the same and never matches.
        var possible = Encoding.UTF8.GetByteCount(password) <= PasswordHasher.MaxBytes;
        return PasswordHasher.Verify(password, possible ? hash : null) && possible;
    }
}
