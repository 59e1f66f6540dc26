using System.Globalization;
using Berth.Core.Errors;

namespace Berth.Core.Servers;

/// <summary>
/// Virtual-server names: 3–30 characters of letters (any script's letters, so Lithuanian
/// ą č ę ė į š ų ū ž are in), digits, space, underscore and parentheses. Surrounding spaces are
/// trimmed; the name is only ever shown, never used in a path or a command.
/// </summary>
public static class ServerName
{
    public const int MinLength = 3;
    public const int MaxLength = 30;

    public static string Normalize(string? name)
    {
        var value = (name ?? "").Trim().Normalize(System.Text.NormalizationForm.FormC);
        var length = new StringInfo(value).LengthInTextElements;
        if (length is < MinLength or > MaxLength)
        {
            throw BerthException.Invalid("INVALID_SERVER_NAME", $"A server name has {MinLength} to {MaxLength} characters.");
        }

        foreach (var rune in value.EnumerateRunes())
        {
            if (!IsAllowed(rune))
            {
                throw BerthException.Invalid(
                    "INVALID_SERVER_NAME",
                    "A server name may contain letters, digits, spaces, underscores and parentheses only.");
            }
        }

        if (value.Contains("  ", StringComparison.Ordinal))
        {
            throw BerthException.Invalid("INVALID_SERVER_NAME", "A server name may not contain two spaces in a row.");
        }

        return value;
    }

    private static bool IsAllowed(System.Text.Rune rune) =>
        System.Text.Rune.IsLetter(rune) || (rune.Value is >= '0' and <= '9') || rune.Value is ' ' or '_' or '(' or ')';
}
