using System.Globalization;
using System.Net;
using System.Security.Claims;

namespace Berth.Server.Authentication;

/// <summary>Reads who is calling, as <see cref="SessionAuthenticationHandler"/> put it into the principal.</summary>
internal static class CurrentUser
{
    public const string SessionIdClaim = "berth:sid";
    public const string AdminRole = "admin";

    public static long UserId(this ClaimsPrincipal principal) =>
        long.Parse(principal.FindFirstValue(ClaimTypes.NameIdentifier)!, CultureInfo.InvariantCulture);

    public static long SessionId(this ClaimsPrincipal principal) =>
        long.Parse(principal.FindFirstValue(SessionIdClaim)!, CultureInfo.InvariantCulture);

    /// <summary>The peer address; forwarded headers are not trusted, so a client cannot choose its own.</summary>
    public static string ClientAddress(this HttpContext context) =>
        context.Connection.RemoteIpAddress is { } address
            ? (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString()
            : IPAddress.None.ToString();
}
