using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Berth.Core.Accounts;
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
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "BerthSession";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
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

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
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

        return WriteProblemAsync(StatusCodes.Status403Forbidden, "FORBIDDEN", "Your account may not do this.");
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
