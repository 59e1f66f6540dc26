using System.Text;

namespace Berth.Core.Accounts;

/// <summary>bcrypt with cost 12, the seed's choice, so the original platform's hashes verify unchanged.</summary>
public static class PasswordHasher
{
    public const int WorkFactor = 12;

    /// <summary>bcrypt reads at most 72 bytes; longer passwords are refused rather than silently cut.</summary>
    public const int MaxBytes = 72;

    public const int MinLength = 8;

    // A real hash of a random string: verifying against it costs the same as verifying a real user,
    // so a login for an unknown email takes as long as one for a known email.
    private static readonly Lazy<string> DummyHash = new(() => BCrypt.Net.BCrypt.HashPassword(Guid.NewGuid().ToString("N"), WorkFactor));

    public static string Hash(string password) => BCrypt.Net.BCrypt.HashPassword(password, WorkFactor);

    /// <summary>One bcrypt computation whatever the input; false for a missing or malformed hash.</summary>
    public static bool Verify(string password, string? hash)
    {
        var usable = hash is not null && hash.StartsWith("$2", StringComparison.Ordinal) && hash.Length == 60;
        try
        {
            var ok = BCrypt.Net.BCrypt.Verify(password, usable ? hash : DummyHash.Value);
            return usable && ok;
        }
        catch (BCrypt.Net.SaltParseException)
        {
            return false;
        }
    }

    /// <summary>Warms the dummy hash so the first unknown-email login is not slower than the rest.</summary>
    public static void Warm() => _ = DummyHash.Value;

    public static void EnsureAcceptable(string? password, string field = "password")
    {
        if (string.IsNullOrEmpty(password) || password.Length < MinLength)
        {
            throw Errors.BerthException.Invalid("PASSWORD_TOO_SHORT", $"The {field} must have at least {MinLength} characters.");
        }

        if (Encoding.UTF8.GetByteCount(password) > MaxBytes)
        {
            throw Errors.BerthException.Invalid("PASSWORD_TOO_LONG", $"The {field} must be at most {MaxBytes} bytes (bcrypt ignores anything longer).");
        }
    }
}
