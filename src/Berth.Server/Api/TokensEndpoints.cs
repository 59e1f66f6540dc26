using System.Globalization;
using System.Security.Claims;
using Berth.Core.Accounts.Tokens;
using Berth.Server.Api.Contracts;
using Berth.Server.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Berth.Server.Api;

/// <summary>
/// The caller's personal access tokens. Managed with a session only: a token cannot mint, list or
/// revoke tokens (a leaked one must not be able to make itself a successor).
/// </summary>
internal static class TokensEndpoints
{
    public static IEndpointRouteBuilder MapTokensEndpoints(this IEndpointRouteBuilder app)
    {
        var tokens = app.MapGroup("/api/me/tokens").WithTags("Me").RequireAuthorization(AuthenticationFeature.UserPolicy).RefuseTokens()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        tokens.MapGet("", ListAsync).WithName("ListMyTokens").WithSummary("The caller's API tokens with their last use; never the secrets.");
        tokens.MapPost("", CreateAsync).WithName("CreateMyToken")
            .WithSummary("Creates an API token; the answer holds the secret (token) this once. Use it as Authorization: Bearer <token>.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        tokens.MapDelete("/{tokenId:long}", RevokeAsync).WithName("RevokeMyToken").WithSummary("Revokes the token at once.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Ok<List<TokenResponse>>> ListAsync(ClaimsPrincipal principal, ApiTokensService tokens, CancellationToken cancellationToken) =>
        TypedResults.Ok((await tokens.ListAsync(principal.UserId(), cancellationToken)).Select(TokenResponse.From).ToList());

    private static async Task<Created<CreatedTokenResponse>> CreateAsync(
        CreateTokenRequest request, ClaimsPrincipal principal, ApiTokensService tokens, CancellationToken cancellationToken)
    {
        var created = await tokens.CreateAsync(principal.UserId(), request.Name, request.Scopes, request.ExpiresAt, request.ServerIds, cancellationToken);
        return TypedResults.Created(string.Create(CultureInfo.InvariantCulture, $"/api/me/tokens/{created.View.Id}"), CreatedTokenResponse.From(created));
    }

    private static async Task<NoContent> RevokeAsync(long tokenId, ClaimsPrincipal principal, ApiTokensService tokens, CancellationToken cancellationToken)
    {
        await tokens.RevokeAsync(principal.UserId(), tokenId, cancellationToken);
        return TypedResults.NoContent();
    }
}
