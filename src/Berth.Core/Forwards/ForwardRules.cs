using System.Globalization;

namespace Berth.Core.Forwards;

/// <summary>The verdict on a forward's fields: <see cref="Valid"/>, or which field is wrong, why (a stable code) and a message.</summary>
public sealed record ForwardCheck(bool Valid, string? Code, string Message, string? Field)
{
    public static readonly ForwardCheck Ok = new(true, null, "The forward can be saved.", null);

    public static ForwardCheck Fail(string code, string field, string message) => new(false, code, message, field);
}

/// <summary>
/// A forward's fields as a client sends them; null is "not given" (on add: the default; on replace:
/// keep the current value, except <see cref="InternalPort"/>, which is required).
/// </summary>
public sealed record ForwardFields(int? PublicPort, int? InternalPort, string? Protocol = null, string? Description = null, string? ProxyProtocol = null);

/// <summary>The rules of a forward's own fields (those that need no database).</summary>
public static class ForwardRules
{
    public const string Tcp = "tcp";
    public const int DescriptionMaxLength = 100;

    public const string PortOutsidePool = "PORT_OUTSIDE_POOL";
    public const string PortTaken = "PORT_TAKEN";
    public const string InvalidPort = "INVALID_PORT";
    public const string InvalidProtocol = "INVALID_PROTOCOL";
    public const string DescriptionTooLong = "DESCRIPTION_TOO_LONG";
    public const string InvalidDescription = "INVALID_DESCRIPTION";
    public const string ForwardLimit = "FORWARD_LIMIT";
    public const string PoolExhausted = "POOL_EXHAUSTED";
    public const string InvalidProxyProtocol = "INVALID_PROXY_PROTOCOL";

    /// <summary>The stored and shown names of <see cref="ProxyProtocolVersion"/>: <c>off</c>, <c>v1</c>, <c>v2</c>.</summary>
    public static string NameOf(ProxyProtocolVersion version) => version switch
    {
        ProxyProtocolVersion.V1 => "v1",
        ProxyProtocolVersion.V2 => "v2",
        _ => "off",
    };

    /// <summary>Reads <c>off</c>, <c>v1</c> or <c>v2</c> (any case, spaces around ignored); anything else is false.</summary>
    public static bool TryParseProxyProtocol(string? text, out ProxyProtocolVersion version)
    {
        version = text?.Trim().ToLowerInvariant() switch
        {
            "off" => ProxyProtocolVersion.Off,
            "v1" => ProxyProtocolVersion.V1,
            "v2" => ProxyProtocolVersion.V2,
            _ => (ProxyProtocolVersion)(-1),
        };
        return Enum.IsDefined(version);
    }

    public static ForwardCheck CheckFields(ForwardFields fields, ForwardsOptions options)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(options);
        var (publicPort, internalPort, protocol, description, proxyProtocol) = fields;
        if (publicPort is { } p && !options.InPool(p))
        {
            return ForwardCheck.Fail(PortOutsidePool, "publicPort", string.Create(CultureInfo.InvariantCulture,
                $"Public port {p} is not available: public ports are {options.FirstPort}–{options.LastPort}."));
        }

        if (internalPort is not { } i || i is < 1 or > 65535)
        {
            return ForwardCheck.Fail(InvalidPort, "internalPort", "The internal port must be a whole number from 1 to 65535.");
        }

        if (protocol is not null && !string.Equals(protocol.Trim(), Tcp, StringComparison.OrdinalIgnoreCase))
        {
            return ForwardCheck.Fail(InvalidProtocol, "protocol", "Only tcp can be forwarded.");
        }

        if (proxyProtocol is not null && !TryParseProxyProtocol(proxyProtocol, out _))
        {
            return ForwardCheck.Fail(InvalidProxyProtocol, "proxyProtocol", "proxyProtocol must be off, v1 or v2.");
        }

        if (description is not null)
        {
            if (description.Trim().Length > DescriptionMaxLength)
            {
                return ForwardCheck.Fail(DescriptionTooLong, "description", string.Create(CultureInfo.InvariantCulture,
                    $"The description may be at most {DescriptionMaxLength} characters (it has {description.Trim().Length})."));
            }

            if (description.Any(char.IsControl))
            {
                return ForwardCheck.Fail(InvalidDescription, "description", "The description may not contain line breaks or control characters.");
            }
        }

        return ForwardCheck.Ok;
    }

    public static string TakenMessage(int port) => string.Create(CultureInfo.InvariantCulture, $"Public port {port} is already used by another forward.");

    public static string LimitMessage(int max) => string.Create(CultureInfo.InvariantCulture,
        $"This server already has {max} port forward(s), the most allowed. Delete one or ask an administrator for more.");

    public static string ExhaustedMessage(ForwardsOptions options) => string.Create(CultureInfo.InvariantCulture,
        $"Every public port ({options.FirstPort}–{options.LastPort}) is in use.");
}
