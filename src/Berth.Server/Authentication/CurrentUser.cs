using System.Globalization;
using System.Net;
using System.Security.Claims;

namespace Berth.Server.Authentication;

/// <summary>Reads who is calling, as <see cref="SessionAuthenticationHandler"/> put it into the principal.</summary>
internal static class CurrentUser
{
    public const string SessionIdClaim = "berth:sid";
    public const string AdminRole = "admin";
    public const string TokenIdClaim = "berth:token";
    public const string TokenNameClaim = "berth:token-name";
    public const string TokenScopeClaim = "berth:scope";
    public const string TokenServerClaim = "berth:server";

    public static long UserId(this ClaimsPrincipal principal) =>
        long.Parse(principal.FindFirstValue(ClaimTypes.NameIdentifier)!, CultureInfo.InvariantCulture);

    public static long SessionId(this ClaimsPrincipal principal) =>
        long.Parse(principal.FindFirstValue(SessionIdClaim)!, CultureInfo.InvariantCulture);

    /// <summary>The API token the request was signed in with, or null for a session.</summary>
    public static TokenIdentity? Token(this ClaimsPrincipal principal)
    {
        if (principal.FindFirstValue(TokenIdClaim) is not { } id)
        {
            return null;
        }

        var servers = principal.FindAll(TokenServerClaim).Select(c => long.Parse(c.Value, CultureInfo.InvariantCulture)).ToHashSet();
        return new TokenIdentity(
            long.Parse(id, CultureInfo.InvariantCulture),
            principal.FindFirstValue(TokenNameClaim) ?? "",
            principal.FindAll(TokenScopeClaim).Select(c => c.Value).ToHashSet(StringComparer.Ordinal),
            servers.Count > 0 ? servers : null);
    }

    /// <summary>The peer address; forwarded headers are not trusted, so a client cannot choose its own.</summary>
    public static string ClientAddress(this HttpContext context) =>
        context.Connection.RemoteIpAddress is { } address
            ? (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString()
            : IPAddress.None.ToString();
}

/// <summary>An API token as the request carries it: its scopes and, when restricted, the servers it may reach.</summary>
internal sealed record TokenIdentity(long Id, string Name, IReadOnlySet<string> Scopes, IReadOnlySet<long>? ServerIds);
