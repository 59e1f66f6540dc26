using System.Security.Claims;
using Berth.Core.Accounts.Tokens;
using Berth.Core.Servers;
using Berth.Server.Api.Contracts;
using Berth.Server.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Berth.Server.Api;

internal static class ServersEndpoints
{
    public static IEndpointRouteBuilder MapServersEndpoints(this IEndpointRouteBuilder app)
    {
        var servers = app.MapGroup("/api/servers").WithTags("Servers").RequireAuthorization(AuthenticationFeature.UserPolicy)
            .RequireTokenScope(ApiTokenScopes.Servers)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        servers.MapGet("", ListAsync).WithName("ListServers");
        servers.MapPost("", CreateAsync).WithName("CreateServer")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict);
        servers.MapGet("/{id:long}", GetAsync).WithName("GetServer").ProducesProblem(StatusCodes.Status404NotFound);
        servers.MapPatch("/{id:long}", RenameAsync).WithName("RenameServer")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        servers.MapPost("/{id:long}/start", StartAsync).WithName("StartServer")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        servers.MapPost("/{id:long}/stop", StopAsync).WithName("StopServer")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        servers.MapDelete("/{id:long}", DeleteAsync).WithName("DeleteServer")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        servers.MapPut("/{id:long}/limits", SetLimitsAsync).WithName("SetServerLimits").RequireAuthorization(AuthenticationFeature.AdminPolicy)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);

        var quota = app.MapGroup("/api/users/{userId:long}/quota").WithTags("Servers").RequireAuthorization(AuthenticationFeature.AdminPolicy)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        quota.MapGet("", GetQuotaAsync).WithName("GetUserQuota");
        quota.MapPut("", SetQuotaAsync).WithName("SetUserQuota").ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    private static async Task<Ok<List<ServerResponse>>> ListAsync(bool? all, ClaimsPrincipal principal, ServersService servers, CancellationToken cancellationToken) =>
        TypedResults.Ok((await servers.ListAsync(principal.UserId(), IsAdmin(principal), all ?? false, cancellationToken))
            .Where(s => principal.Token()?.ServerIds is not { } reach || reach.Contains(s.Id)).Select(ServerResponse.From).ToList());

    private static async Task<Accepted<ServerResponse>> CreateAsync(CreateServerRequest request, ClaimsPrincipal principal, ServersService servers, CancellationToken cancellationToken)
    {
        var server = await servers.CreateAsync(principal.UserId(), request.Name, cancellationToken);
        return TypedResults.Accepted($"/api/servers/{server.Id}", ServerResponse.From(server));
    }

    private static async Task<Ok<ServerResponse>> GetAsync(long id, ClaimsPrincipal principal, ServersService servers, CancellationToken cancellationToken) =>
        TypedResults.Ok(ServerResponse.From(await servers.GetAsync(principal.UserId(), IsAdmin(principal), id, cancellationToken)));

    private static async Task<Ok<ServerResponse>> RenameAsync(long id, RenameServerRequest request, ClaimsPrincipal principal, ServersService servers, CancellationToken cancellationToken) =>
        TypedResults.Ok(ServerResponse.From(await servers.RenameAsync(principal.UserId(), IsAdmin(principal), id, request.Name, cancellationToken)));

    private static async Task<Ok<ServerResponse>> StartAsync(long id, ClaimsPrincipal principal, ServersService servers, CancellationToken cancellationToken) =>
        TypedResults.Ok(ServerResponse.From(await servers.StartAsync(principal.UserId(), IsAdmin(principal), id, cancellationToken)));

    private static async Task<Ok<ServerResponse>> StopAsync(long id, ClaimsPrincipal principal, ServersService servers, CancellationToken cancellationToken) =>
        TypedResults.Ok(ServerResponse.From(await servers.StopAsync(principal.UserId(), IsAdmin(principal), id, cancellationToken)));

    private static async Task<NoContent> DeleteAsync(long id, ClaimsPrincipal principal, ServersService servers, CancellationToken cancellationToken)
    {
        await servers.DeleteAsync(principal.UserId(), IsAdmin(principal), id, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<ServerResponse>> SetLimitsAsync(long id, ServerLimitsRequest request, ClaimsPrincipal principal, ServersService servers, CancellationToken cancellationToken) =>
        TypedResults.Ok(ServerResponse.From(await servers.SetLimitsAsync(principal.UserId(), id, request.Cpus, request.MemoryMb, request.Pids, cancellationToken)));

    private static async Task<Ok<QuotaResponse>> GetQuotaAsync(long userId, ServersService servers, CancellationToken cancellationToken) =>
        TypedResults.Ok(new QuotaResponse(userId, await servers.GetQuotaAsync(userId, cancellationToken)));

    private static async Task<Ok<QuotaResponse>> SetQuotaAsync(long userId, QuotaRequest request, ClaimsPrincipal principal, ServersService servers, CancellationToken cancellationToken) =>
        TypedResults.Ok(new QuotaResponse(userId, await servers.SetQuotaAsync(principal.UserId(), userId, request.MaxServers, cancellationToken)));

    private static bool IsAdmin(ClaimsPrincipal principal) => principal.IsInRole(CurrentUser.AdminRole);
}
