using System.Globalization;
using System.Security.Claims;
using Berth.Core.Ssh;
using Berth.Server.Api.Contracts;
using Berth.Server.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Berth.Server.Api;

/// <summary>The signed-in user's own SSH public keys (the SSH entry accepts them; see docs/ssh.md).</summary>
internal static class SshKeysEndpoints
{
    public static IEndpointRouteBuilder MapSshKeysEndpoints(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/api/me/ssh-keys").WithTags("Me").RequireAuthorization(AuthenticationFeature.UserPolicy)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        keys.MapGet("", ListAsync).WithName("ListMySshKeys").WithSummary("The account's SSH public keys, oldest first.");
        keys.MapPost("", AddAsync).WithName("AddMySshKey")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Adds a public key (one authorized_keys line without options); 409 when the account has it already.");
        keys.MapDelete("/{keyId:long}", DeleteAsync).WithName("DeleteMySshKey").ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Deletes a key: it opens no new SSH session from now on.");
        return app;
    }

    private static async Task<Ok<List<SshKeyResponse>>> ListAsync(ClaimsPrincipal principal, SshKeysService keys, CancellationToken cancellationToken) =>
        TypedResults.Ok((await keys.ListAsync(principal.UserId(), cancellationToken)).Select(SshKeyResponse.From).ToList());

    private static async Task<Created<SshKeyResponse>> AddAsync(SshKeyRequest request, ClaimsPrincipal principal, SshKeysService keys, CancellationToken cancellationToken)
    {
        var key = await keys.AddAsync(principal.UserId(), request.Name, request.PublicKey, cancellationToken);
        return TypedResults.Created(string.Create(CultureInfo.InvariantCulture, $"/api/me/ssh-keys/{key.Id}"), SshKeyResponse.From(key));
    }

    private static async Task<NoContent> DeleteAsync(long keyId, ClaimsPrincipal principal, SshKeysService keys, CancellationToken cancellationToken)
    {
        await keys.DeleteAsync(principal.UserId(), keyId, cancellationToken);
        return TypedResults.NoContent();
    }
}
