namespace Berth.Server.Hosting;

/// <summary>
/// Browser hardening headers on every response, errors included: they are added when the
/// response starts, so the exception handler clearing headers cannot drop them.
/// </summary>
internal static class SecurityHeadersFeature
{
    /// <summary>API answers are data, never documents: nothing may load or frame them.</summary>
    public const string ApiPolicy = "default-src 'none'; frame-ancestors 'none'";

    /// <summary>The panel loads only its own assets.</summary>
    public const string PanelPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>The API reference page configures itself with an inline script.</summary>
    public const string DocsPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var path = context.Request.Path;
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "same-origin";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers.ContentSecurityPolicy = path.StartsWithSegments("/api") ? ApiPolicy
                : path.StartsWithSegments("/docs") || path.StartsWithSegments("/scalar") ? DocsPolicy
                : PanelPolicy;
            if (path.StartsWithSegments("/api"))
            {
                // Account data must not linger in shared caches or the browser's back button.
                headers.CacheControl = "no-store";
            }

            if (context.Request.IsHttps)
            {
                headers.StrictTransportSecurity = "max-age=31536000";
            }

            return Task.CompletedTask;
        });
        return next(context);
    });
}
