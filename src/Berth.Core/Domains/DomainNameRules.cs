namespace Berth.Core.Domains;

/// <summary>What <see cref="DomainNameRules.Check"/> found: the folded name, and a code and message when it is refused.</summary>
public sealed record DomainNameCheck(string Name, string? Code, string Message, bool UnderAppsDomain)
{
    public bool Valid => Code is null;
}

/// <summary>
/// Domain names users may attach to a virtual server: 5–39 characters, at least one dot, no
/// <c>..</c>, only <c>a-z 0-9 - _ .</c>, starting and ending with a letter. The name is trimmed
/// and lower-cased before every check and before it is stored. The control host and the apps
/// domain themselves are reserved; one label under the apps domain is allowed and needs no DNS.
/// </summary>
public static class DomainNameRules
{
    public const int MinLength = 5;
    public const int MaxLength = 39;

    public const string InvalidCode = "INVALID_DOMAIN_NAME";
    public const string ReservedCode = "DOMAIN_RESERVED";

    /// <summary>Trimmed and lower-cased (invariant culture), the form every check and the database use.</summary>
    public static string Fold(string? name) => (name ?? "").Trim().ToLowerInvariant();

    public static DomainNameCheck Check(string? name, DomainsOptions options)
    {
        var value = Fold(name);
        if (value.Length == 0)
        {
            return Refused(value, InvalidCode, "A domain name is required.");
        }

        if (value.Length is < MinLength or > MaxLength)
        {
            return Refused(value, InvalidCode, $"A domain name has {MinLength} to {MaxLength} characters.");
        }

        foreach (var c in value)
        {
            if (!IsAllowed(c))
            {
                return Refused(value, InvalidCode, "A domain name may contain only the letters a-z, digits, '-', '_' and '.'.");
            }
        }

        if (!value.Contains('.', StringComparison.Ordinal))
        {
            return Refused(value, InvalidCode, "A domain name has at least one dot, e.g. example.com.");
        }

        if (value.Contains("..", StringComparison.Ordinal))
        {
            return Refused(value, InvalidCode, "A domain name may not contain two dots in a row.");
        }

        if (!IsLetter(value[0]) || !IsLetter(value[^1]))
        {
            return Refused(value, InvalidCode, "A domain name starts and ends with a letter.");
        }

        var control = Fold(options.ControlHost);
        var apps = Fold(options.AppsDomain);
        if (value == control || value == apps)
        {
            return Refused(value, ReservedCode, $"\"{value}\" is the platform's own name.");
        }

        if (apps.Length > 0 && value.EndsWith("." + apps, StringComparison.Ordinal))
        {
            var label = value[..^(apps.Length + 1)];
            return label.Contains('.', StringComparison.Ordinal)
                ? Refused(value, InvalidCode, $"Under {apps} a name has one label only, e.g. myapp.{apps}.")
                : new DomainNameCheck(value, null, $"\"{value}\" is available under the platform's apps domain; it needs no DNS set-up.", UnderAppsDomain: true);
        }

        return new DomainNameCheck(value, null, $"\"{value}\" is valid; point its DNS (an A/AAAA or CNAME record) at this platform.", UnderAppsDomain: false);
    }

    private static bool IsLetter(char c) => c is >= 'a' and <= 'z';

    private static bool IsAllowed(char c) => IsLetter(c) || c is (>= '0' and <= '9') or '-' or '_' or '.';

    private static DomainNameCheck Refused(string value, string code, string message) => new(value, code, message, UnderAppsDomain: false);
}
