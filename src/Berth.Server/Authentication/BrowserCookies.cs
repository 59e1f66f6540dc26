namespace Berth.Server.Authentication;

/// <summary>
/// The names and options of Berth's own cookies. Over HTTPS a cookie is <c>__Host-</c> prefixed: the
/// browser then keeps it only when it came Secure, with Path=/ and no Domain, from this very host, so a
/// page on a sibling name (a tenant's app under the same registrable domain) can neither replace it
/// nor plant one for Berth to read: the unprefixed name is not read over HTTPS at all. Plain HTTP
/// (the local quick start) cannot carry the prefix, so it keeps the bare name.
/// </summary>
internal static class BrowserCookies
{
    private const string HostPrefix = "__Host-";

    public static string NameFor(HttpContext context, string name) => context.Request.IsHttps ? HostPrefix + name : name;

    public static string? Read(HttpContext context, string name) => context.Request.Cookies[NameFor(context, name)];

    public static void Write(HttpContext context, string name, string value, TimeSpan maxAge) =>
        context.Response.Cookies.Append(NameFor(context, name), value, Options(context, maxAge));

    public static void Clear(HttpContext context, string name) =>
        context.Response.Cookies.Delete(NameFor(context, name), Options(context, maxAge: null));

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
