using Berth.Core.Accounts;

namespace Berth.Server.Authentication;

/// <summary>The browser's half of a server-side session: an opaque random token, never readable by scripts.</summary>
internal static class SessionCookie
{
    public const string Name = "berth_session";

    public static string? Read(HttpContext context) => context.Request.Cookies[Name];

    public static void Write(HttpContext context, string token) =>
        context.Response.Cookies.Append(Name, token, Options(context, SessionService.AbsoluteLifetime));

    public static void Clear(HttpContext context) =>
        context.Response.Cookies.Delete(Name, Options(context, maxAge: null));

    private static CookieOptions Options(HttpContext context, TimeSpan? maxAge) => new()
    {
        HttpOnly = true,
        // Lax: sent on top-level navigation to the panel, not on cross-site subrequests or form posts.
        SameSite = SameSiteMode.Lax,
        Secure = context.Request.IsHttps,
        Path = "/",
        MaxAge = maxAge,
        IsEssential = true,
    };
}
