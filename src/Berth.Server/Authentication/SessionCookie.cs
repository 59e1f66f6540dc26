using Berth.Core.Accounts;

namespace Berth.Server.Authentication;

/// <summary>The browser's half of a server-side session: an opaque random token, never readable by scripts.</summary>
internal static class SessionCookie
{
    /// <summary>The bare name; over HTTPS the cookie is <c>__Host-berth_session</c> (<see cref="BrowserCookies"/>).</summary>
    public const string Name = "berth_session";

    public static string? Read(HttpContext context) => BrowserCookies.Read(context, Name);

    public static void Write(HttpContext context, string token) => BrowserCookies.Write(context, Name, token, SessionService.AbsoluteLifetime);

    public static void Clear(HttpContext context) => BrowserCookies.Clear(context, Name);
}
