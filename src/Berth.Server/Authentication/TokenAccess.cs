using System.Globalization;
using Berth.Core.Accounts.Tokens;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Berth.Server.Authentication;

/// <summary>
/// What an API token may reach, decided in one place for every route. A route (or its group) names the
/// scope its changes need with <see cref="TokenAccessExtensions.RequireTokenScope{TBuilder}"/>:
/// <list type="bullet">
/// <item>safe methods (GET, HEAD) pass with <c>read</c> or with the route's own scope;</item>
/// <item>other methods pass only with the route's scope; a route naming none takes no token changes;</item>
/// <item>a route marked <see cref="TokenAccessExtensions.RefuseTokens{TBuilder}"/> takes no token at all
/// (token management, the terminal: things a session does in person);</item>
/// <item>admin routes need the <c>admin</c> scope, on top of the owner being an admin right now;</item>
/// <item>a token restricted to some servers meets every other server as a missing one (404), and admin routes and routes
/// spanning all servers (<see cref="TokenAccessExtensions.SpansServers{TBuilder}"/>) refuse it.</item>
/// </list>
/// Requests signed in with a session are not affected.
/// </summary>
internal sealed record TokenScopeMetadata(string? Scope, bool Refused = false, bool SpansServers = false);

internal static class TokenAccessExtensions
{
    /// <summary>Changes on these routes need <paramref name="scope"/> (<see cref="ApiTokenScopes"/>); reads pass with <c>read</c> too.</summary>
    public static TBuilder RequireTokenScope<TBuilder>(this TBuilder builder, string scope)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new TokenScopeMetadata(scope));

    /// <summary>These routes take a session only.</summary>
    public static TBuilder RefuseTokens<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new TokenScopeMetadata(null, Refused: true));

    /// <summary>These routes read across all the caller's servers, so a token restricted to some of them may not use them.</summary>
    public static TBuilder SpansServers<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new TokenScopeMetadata(null, SpansServers: true));
}

/// <summary>Part of both policies: whether the caller's token (if it is one) may use this endpoint.</summary>
internal sealed record TokenAccessRequirement(bool AdminRoute) : IAuthorizationRequirement;

internal sealed class TokenAccessHandler : AuthorizationHandler<TokenAccessRequirement>
{
    /// <summary>The failure reason that is answered as a missing server rather than a refusal.</summary>
    public const string ServerOutOfReach = "server-out-of-reach";

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, TokenAccessRequirement requirement)
    {
        var token = context.User.Token();
        if (token is null)
        {
            context.Succeed(requirement);
            return Task.CompletedTask;
        }

        if (context.Resource is not HttpContext http || http.GetEndpoint() is not RouteEndpoint endpoint)
        {
            context.Fail(new AuthorizationFailureReason(this, "The route cannot be matched to a token's scopes."));
            return Task.CompletedTask;
        }

        var metadata = endpoint.Metadata.GetOrderedMetadata<TokenScopeMetadata>();
        var route = metadata.Count > 0 ? metadata[^1] : null;
        if (metadata.Any(m => m.Refused))
        {
            context.Fail(new AuthorizationFailureReason(this, "This route takes a session, not an API token."));
            return Task.CompletedTask;
        }

        if (token.ServerIds is { } servers)
        {
            if (requirement.AdminRoute || metadata.Any(m => m.SpansServers))
            {
                context.Fail(new AuthorizationFailureReason(this, "A token restricted to some servers cannot read across all of them."));
                return Task.CompletedTask;
            }

            if (endpoint.RoutePattern.RawText?.StartsWith("/api/servers/{id", StringComparison.Ordinal) == true
                && (!long.TryParse(http.Request.RouteValues["id"]?.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var serverId) || !servers.Contains(serverId)))
            {
                context.Fail(new AuthorizationFailureReason(this, ServerOutOfReach));
                return Task.CompletedTask;
            }
        }

        var safe = HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method);
        var allowed = requirement.AdminRoute
            ? token.Scopes.Contains(ApiTokenScopes.Admin)
            : (safe && token.Scopes.Contains(ApiTokenScopes.Read)) || (route?.Scope is { } scope && token.Scopes.Contains(scope));
        if (allowed)
        {
            context.Succeed(requirement);
        }
        else
        {
            context.Fail(new AuthorizationFailureReason(this, "The token lacks the scope this route needs."));
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// Answers a token reaching for a server outside its restriction exactly as a missing server is
/// answered, so the restriction does not tell which servers exist; every other outcome is the default.
/// </summary>
internal sealed class TokenAccessResultHandler(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && authorizeResult.AuthorizationFailure?.FailureReasons.Any(r => r.Message == TokenAccessHandler.ServerOutOfReach) == true)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = StatusCodes.Status404NotFound,
                    Title = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(StatusCodes.Status404NotFound),
                    Detail = "No such server.",
                    Extensions = { ["code"] = "SERVER_NOT_FOUND" },
                },
            });
            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
