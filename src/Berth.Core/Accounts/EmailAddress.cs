using System.Net.Mail;
using Berth.Core.Errors;

namespace Berth.Core.Accounts;

/// <summary>Emails are stored trimmed and lower-cased, so one person cannot hold two accounts by case.</summary>
public static class EmailAddress
{
    public const int MaxLength = 254;

    public static string Normalize(string? email)
    {
        var value = (email ?? "").Trim().ToLowerInvariant();
        if (value.Length is 0 or > MaxLength || !MailAddress.TryCreate(value, out var parsed) || parsed.Address != value
            || !value.Contains('@', StringComparison.Ordinal) || value.Any(char.IsWhiteSpace))
        {
            throw BerthException.Invalid("INVALID_EMAIL", "Enter a valid email address, like name@example.com.");
        }

        return value;
    }
}
