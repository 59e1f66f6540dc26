using Berth.Core.Errors;

namespace Berth.Core.Stacks;

/// <summary>
/// A stack's name: Compose's project-name rule (lowercase letters, digits, <c>-</c> and <c>_</c>,
/// starting with a letter or digit), at most 63 characters. Checked here once; every route takes
/// its name through <see cref="Parse"/>, so a name can never start an option (<c>--help</c>),
/// reach a shell word (<c>a;rm</c>) or leave its folder (<c>..</c>).
/// </summary>
public sealed record StackName
{
    public const int MaxLength = 63;

    private StackName(string value) => Value = value;

    public string Value { get; }

    public override string ToString() => Value;

    public static StackName Parse(string? text) =>
        TryParse(text, out var name)
            ? name
            : throw BerthException.Invalid("STACK_NAME_INVALID", $"A stack name uses lowercase letters, digits, '-' and '_', starts with a letter or digit and has at most {MaxLength} characters.");

    public static bool TryParse(string? text, out StackName name)
    {
        name = null!;
        if (string.IsNullOrEmpty(text) || text.Length > MaxLength || !IsLowerOrDigit(text[0]))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!IsLowerOrDigit(c) && c is not '-' and not '_')
            {
                return false;
            }
        }

        name = new StackName(text);
        return true;
    }

    private static bool IsLowerOrDigit(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');
}

/// <summary>A Compose service name as a filter (logs): letters, digits, <c>.</c>, <c>_</c>, <c>-</c>, not starting with <c>-</c> or <c>.</c>.</summary>
public static class ServiceName
{
    public static string? ParseOptional(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var ok = text.Length <= 128 && char.IsAsciiLetterOrDigit(text[0]) && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
        return ok ? text : throw BerthException.Invalid("SERVICE_NAME_INVALID", "A service name uses letters, digits, '.', '_' and '-' and starts with a letter or digit.");
    }
}
