using Berth.Core.Errors;

namespace Berth.Server.Authentication;

/// <summary>
/// A state-changing request that carries the session cookie must also carry
/// <c>X-Berth-Csrf: 1</c>. A cross-site form or image cannot set a custom header, and a
/// cross-site script cannot send one without a CORS preflight that Berth never grants.
/// The rule is the API's: the panel's forms carry an antiforgery token instead, and its live
/// connection (<c>/_blazor</c>) is protected by Blazor's own origin checks.
/// </summary>
internal sealed class CsrfMiddleware(RequestDelegate next)
{
    public const string HeaderName = "X-Berth-Csrf";

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var unsafeMethod = HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method)
            || HttpMethods.IsPatch(request.Method) || HttpMethods.IsDelete(request.Method);
        if (unsafeMethod && request.Path.StartsWithSegments("/api") && SessionCookie.Read(context) is not null && request.Headers[HeaderName] != "1")
        {
            throw BerthException.Forbidden("CSRF_REQUIRED", $"State-changing requests need the header {HeaderName}: 1.");
        }

        return next(context);
    }
}
