namespace Berth.Core.Domains;

/// <summary>
/// What <see cref="DomainNameRules.Check"/> found: the folded name, and a code and message when it is
/// refused, with the rule that refused it as <see cref="Reason"/> (so a translation can keep the reason).
/// </summary>
public sealed record DomainNameCheck(string Name, string? Code, string Message, bool UnderAppsDomain, string? Reason = null)
{
    public bool Valid => Code is null;
}

/// <summary>
/// Domain names users may attach to a virtual server: 5–39 characters, at least one dot, no
/// <c>..</c>, only <c>a-z 0-9 - _ .</c>, starting and ending with a letter, and no label starting or
/// ending with <c>-</c> (RFC 1123: <c>app-.example.com</c> is not a host name). The name is trimmed
/// and lower-cased before every check and before it is stored. The control host and the apps
/// domain themselves are reserved; one label under the apps domain is allowed and needs no DNS.
/// </summary>
public static class DomainNameRules
{
    public const int MinLength = 5;
    public const int MaxLength = 39;

    public const string InvalidCode = "INVALID_DOMAIN_NAME";
    public const string ReservedCode = "DOMAIN_RESERVED";

    /// <summary>The rule that refused a name: a stable word per rule, the key of its translations.</summary>
    public static class Reasons
    {
        public const string Required = "required";
        public const string Length = "length";
        public const string Scheme = "scheme";
        public const string Characters = "characters";
        public const string Dot = "dot";
        public const string DoubleDot = "double-dot";
        public const string Ends = "ends";
        public const string LabelHyphen = "label-hyphen";
        public const string AppsOneLabel = "apps-one-label";
        public const string Reserved = "reserved";
    }

    /// <summary>Trimmed and lower-cased (invariant culture), the form every check and the database use.</summary>
    public static string Fold(string? name) => (name ?? "").Trim().ToLowerInvariant();

    public static DomainNameCheck Check(string? name, DomainsOptions options)
    {
        var value = Fold(name);
        if (value.Length == 0)
        {
            return Refused(value, InvalidCode, Reasons.Required, "A domain name is required.");
        }

        // Before the length and character rules: a pasted address would fail those with a message that hides the fix.
        if (value.StartsWith("http://", StringComparison.Ordinal) || value.StartsWith("https://", StringComparison.Ordinal))
        {
            return Refused(value, InvalidCode, Reasons.Scheme, "Leave out http:// or https://: the name alone, e.g. app.example.com.");
        }

        if (value.Length is < MinLength or > MaxLength)
        {
            return Refused(value, InvalidCode, Reasons.Length, $"A domain name has {MinLength} to {MaxLength} characters.");
        }

        foreach (var c in value)
        {
            if (!IsAllowed(c))
            {
                return Refused(value, InvalidCode, Reasons.Characters, "A domain name may contain only the letters a-z, digits, '-', '_' and '.'.");
            }
        }

        if (!value.Contains('.', StringComparison.Ordinal))
        {
            return Refused(value, InvalidCode, Reasons.Dot, "A domain name has at least one dot, e.g. example.com.");
        }

        if (value.Contains("..", StringComparison.Ordinal))
        {
            return Refused(value, InvalidCode, Reasons.DoubleDot, "A domain name may not contain two dots in a row.");
        }

        if (!IsLetter(value[0]) || !IsLetter(value[^1]))
        {
            return Refused(value, InvalidCode, Reasons.Ends, "A domain name starts and ends with a letter.");
        }

        if (value.Contains("-.", StringComparison.Ordinal) || value.Contains(".-", StringComparison.Ordinal))
        {
            return Refused(value, InvalidCode, Reasons.LabelHyphen, "No part of a domain name between dots may start or end with '-'.");
        }

        var control = Fold(options.ControlHost);
        var apps = Fold(options.AppsDomain);
        if (value == control || value == apps)
        {
            return Refused(value, ReservedCode, Reasons.Reserved, $"\"{value}\" is the platform's own name.");
        }

        if (apps.Length > 0 && value.EndsWith("." + apps, StringComparison.Ordinal))
        {
            var label = value[..^(apps.Length + 1)];
            return label.Contains('.', StringComparison.Ordinal)
                ? Refused(value, InvalidCode, Reasons.AppsOneLabel, $"Under {apps} a name has one label only, e.g. myapp.{apps}.")
                : new DomainNameCheck(value, null, $"\"{value}\" is available under the platform's apps domain; it needs no DNS set-up.", UnderAppsDomain: true);
        }

        // Every name beneath the panel's own (login.<control host>, …) is the platform's: a tenant holding one
        // could show a look-alike sign-in page on the panel's domain.
        if (control.Length > 0 && value.EndsWith("." + control, StringComparison.Ordinal))
        {
            return Refused(value, ReservedCode, Reasons.Reserved, $"Names under {control}, the platform's own host name, are reserved.");
        }

        return new DomainNameCheck(value, null, $"\"{value}\" is valid; point its DNS (an A/AAAA or CNAME record) at this platform.", UnderAppsDomain: false);
    }

    private static bool IsLetter(char c) => c is >= 'a' and <= 'z';

    private static bool IsAllowed(char c) => IsLetter(c) || c is (>= '0' and <= '9') or '-' or '_' or '.';

    private static DomainNameCheck Refused(string value, string code, string reason, string message) => new(value, code, message, UnderAppsDomain: false, reason);
}
