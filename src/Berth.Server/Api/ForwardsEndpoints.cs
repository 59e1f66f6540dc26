using System.Globalization;
using System.Security.Claims;
using Berth.Core.Accounts.Tokens;
using Berth.Core.Forwards;
using Berth.Server.Api.Contracts;
using Berth.Server.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Berth.Server.Api;

/// <summary>TCP port forwards of a virtual server (its owner or an admin), a dry-run check, and the per-user limit (admins).</summary>
internal static class ForwardsEndpoints
{
    public static IEndpointRouteBuilder MapForwardsEndpoints(this IEndpointRouteBuilder app)
    {
        var forwards = app.MapGroup("/api/servers/{id:long}/forwards").WithTags("Forwards").RequireAuthorization(AuthenticationFeature.UserPolicy)
            .RequireTokenScope(ApiTokenScopes.Servers)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound);
        forwards.MapGet("", ListAsync).WithName("ListForwards")
            .WithSummary("The server's port forwards, by public port.");
        forwards.MapPost("", AddAsync).WithName("AddForward").ProducesProblem(StatusCodes.Status400BadRequest)
            .WithSummary("Adds a forward; without publicPort the lowest free port of the pool is picked. Live at once.");
        forwards.MapPut("/{forwardId:long}", UpdateAsync).WithName("UpdateForward").ProducesProblem(StatusCodes.Status400BadRequest)
            .WithSummary("Replaces a forward's fields (publicPort left out keeps it). Live at once: its connections end.");
        forwards.MapDelete("/{forwardId:long}", DeleteAsync).WithName("DeleteForward")
            .WithSummary("Deletes a forward: its public port closes and its connections end at once.");

        app.MapGet("/api/forwards/validate", ValidateAsync).WithName("ValidateForward").WithTags("Forwards")
            .RequireAuthorization(AuthenticationFeature.UserPolicy)
            .WithSummary("Dry run of a forward's fields (forwardId: the forward being edited; serverId: counts the server's limit).")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound);

        var quota = app.MapGroup("/api/users/{userId:long}/forward-quota").WithTags("Forwards").RequireAuthorization(AuthenticationFeature.AdminPolicy)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        quota.MapGet("", GetQuotaAsync).WithName("GetUserForwardQuota").WithSummary("How many forwards each server of the user may have.");
        quota.MapPut("", SetQuotaAsync).WithName("SetUserForwardQuota").ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    private static async Task<Ok<List<ForwardResponse>>> ListAsync(long id, ClaimsPrincipal principal, ForwardsService forwards, CancellationToken cancellationToken) =>
        TypedResults.Ok((await forwards.ListAsync(principal.UserId(), IsAdmin(principal), id, cancellationToken)).Select(ForwardResponse.From).ToList());

    private static async Task<Created<ForwardResponse>> AddAsync(long id, ForwardRequest request, ClaimsPrincipal principal, ForwardsService forwards, CancellationToken cancellationToken)
    {
        var forward = await forwards.AddAsync(principal.UserId(), IsAdmin(principal), id, request.Fields(), cancellationToken);
        return TypedResults.Created(string.Create(CultureInfo.InvariantCulture, $"/api/servers/{id}/forwards/{forward.Id}"), ForwardResponse.From(forward));
    }

    private static async Task<Ok<ForwardResponse>> UpdateAsync(
        long id, long forwardId, ForwardRequest request, ClaimsPrincipal principal, ForwardsService forwards, CancellationToken cancellationToken) =>
        TypedResults.Ok(ForwardResponse.From(await forwards.UpdateAsync(principal.UserId(), IsAdmin(principal), id, forwardId, request.Fields(), cancellationToken)));

    private static async Task<NoContent> DeleteAsync(long id, long forwardId, ClaimsPrincipal principal, ForwardsService forwards, CancellationToken cancellationToken)
    {
        await forwards.DeleteAsync(principal.UserId(), IsAdmin(principal), id, forwardId, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>Ports arrive as text so that "abc" gets the port rule's message, not a binder error.</summary>
    private static async Task<Ok<ForwardValidationResponse>> ValidateAsync(
        string? publicPort, string? internalPort, string? protocol, string? description, string? proxyProtocol, long? forwardId, long? serverId,
        ClaimsPrincipal principal, ForwardsService forwards, CancellationToken cancellationToken)
    {
        if (!TryPort(publicPort, out var pub))
        {
            return Verdict(ForwardCheck.Fail(ForwardRules.PortOutsidePool, "publicPort", "The public port must be a whole number."));
        }

        if (!TryPort(internalPort, out var inner))
        {
            return Verdict(ForwardCheck.Fail(ForwardRules.InvalidPort, "internalPort", "The internal port must be a whole number from 1 to 65535."));
        }

        var check = await forwards.ValidateAsync(
            principal.UserId(), IsAdmin(principal), new ForwardFields(pub, inner, protocol, description, proxyProtocol), forwardId, serverId, cancellationToken);
        return Verdict(check);
    }

    private static Ok<ForwardValidationResponse> Verdict(ForwardCheck check) =>
        TypedResults.Ok(new ForwardValidationResponse(check.Valid, check.Code, check.Message, check.Field));

    private static bool TryPort(string? text, out int? port)
    {
        port = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        if (int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            port = value;
            return true;
        }

        return false;
    }

    private static async Task<Ok<ForwardQuotaResponse>> GetQuotaAsync(long userId, ForwardsService forwards, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ForwardQuotaResponse(userId, await forwards.GetQuotaAsync(userId, cancellationToken)));

    private static async Task<Ok<ForwardQuotaResponse>> SetQuotaAsync(
        long userId, ForwardQuotaRequest request, ClaimsPrincipal principal, ForwardsService forwards, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ForwardQuotaResponse(userId, await forwards.SetQuotaAsync(principal.UserId(), userId, request.MaxForwardsPerServer, cancellationToken)));

    private static bool IsAdmin(ClaimsPrincipal principal) => principal.IsInRole(CurrentUser.AdminRole);
}
