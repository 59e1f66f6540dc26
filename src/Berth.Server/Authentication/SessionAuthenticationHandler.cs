using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Berth.Core.Accounts;
using Berth.Core.Accounts.Tokens;
using Berth.Server.Components;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Berth.Server.Authentication;

/// <summary>
/// Authenticates every request against its server-side session row (and the user's current
/// Enabled and Admin flags), so ending a session or disabling a user takes effect on the very
/// next request. Challenges and refusals are problem details like every other error.
/// </summary>
internal sealed class SessionAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    SessionService sessions,
    ApiTokensService tokens,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "BerthSession";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (BearerToken(Context) is { } bearer)
        {
            return await AuthenticateTokenAsync(bearer);
        }

        var token = SessionCookie.Read(Context);
        if (token is null)
        {
            return AuthenticateResult.NoResult();
        }

        var session = await sessions.ValidateAsync(token, Context.RequestAborted);
        if (session is null)
        {
            return AuthenticateResult.Fail("The session has ended.");
        }

        List<Claim> claims =
        [
            new(ClaimTypes.NameIdentifier, session.UserId.ToString(CultureInfo.InvariantCulture)),
            new(ClaimTypes.Email, session.Email),
            new(CurrentUser.SessionIdClaim, session.SessionId.ToString(CultureInfo.InvariantCulture)),
        ];
        if (session.Admin)
        {
            claims.Add(new Claim(ClaimTypes.Role, CurrentUser.AdminRole));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    /// <summary>
    /// An API token in <c>Authorization: Bearer</c>, on the API only (the panel is for people in a
    /// browser). A request that names a bearer token is judged by the token alone, never by a cookie it
    /// also carries; the CSRF rule still applies to it whenever a cookie is present.
    /// </summary>
    private static string? BearerToken(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/api") || context.Request.Headers.Authorization.ToString() is not { Length: > 0 } header)
        {
            return null;
        }

        const string Scheme = "Bearer ";
        return header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? header[Scheme.Length..].Trim() : "";
    }

    private async Task<AuthenticateResult> AuthenticateTokenAsync(string bearer)
    {
        var token = await tokens.ValidateAsync(bearer, Context.RequestAborted);
        if (token is null)
        {
            return AuthenticateResult.Fail("The API token is unknown, revoked or expired.");
        }

        List<Claim> claims =
        [
            new(ClaimTypes.NameIdentifier, token.UserId.ToString(CultureInfo.InvariantCulture)),
            new(ClaimTypes.Email, token.Email),
            new(CurrentUser.TokenIdClaim, token.TokenId.ToString(CultureInfo.InvariantCulture)),
            new(CurrentUser.TokenNameClaim, token.TokenName),
        ];
        claims.AddRange(token.Scopes.Select(s => new Claim(CurrentUser.TokenScopeClaim, s)));
        claims.AddRange((token.ServerIds ?? new HashSet<long>()).Select(s => new Claim(CurrentUser.TokenServerClaim, s.ToString(CultureInfo.InvariantCulture))));
        if (token.Admin)
        {
            claims.Add(new Claim(ClaimTypes.Role, CurrentUser.AdminRole));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (BearerToken(Context) is not null)
        {
            Response.Headers.WWWAuthenticate = "Bearer";
            return WriteProblemAsync(StatusCodes.Status401Unauthorized, "UNAUTHENTICATED", "The API token is unknown, revoked or expired.");
        }

        if (SessionCookie.Read(Context) is not null)
        {
            // The cookie names a session that has ended: drop it from the browser too.
            SessionCookie.Clear(Context);
        }

        if (!Request.Path.StartsWithSegments("/api"))
        {
            // A panel page: the browser goes to the sign-in page and comes back afterwards.
            Response.Redirect(PanelPaths.SignIn(Request.PathBase + Request.Path + Request.QueryString));
            return Task.CompletedTask;
        }

        return WriteProblemAsync(StatusCodes.Status401Unauthorized, "UNAUTHENTICATED", "Sign in first.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        if (!Request.Path.StartsWithSegments("/api"))
        {
            Response.Redirect(PanelPaths.Home);
            return Task.CompletedTask;
        }

        // A token refused for its scopes says so; a normal user on an admin route is refused as always.
        var adminRoute = Context.GetEndpoint()?.Metadata.GetOrderedMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>()
            .Any(a => a.Policy == AuthenticationFeature.AdminPolicy) == true;
        return Context.User.Token() is not null && !(adminRoute && !Context.User.IsInRole(CurrentUser.AdminRole))
            ? WriteProblemAsync(StatusCodes.Status403Forbidden, "TOKEN_SCOPE_MISSING", "This API token's scopes do not allow this request.")
            : WriteProblemAsync(StatusCodes.Status403Forbidden, "FORBIDDEN", "Your account may not do this.");
    }

    private async Task WriteProblemAsync(int status, string code, string detail)
    {
        Response.StatusCode = status;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = status,
                Title = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status),
                Detail = detail,
                Extensions = { ["code"] = code },
            },
        });
    }
}
