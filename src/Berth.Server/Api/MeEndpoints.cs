using System.Security.Claims;
using Berth.Core.Accounts;
using Berth.Core.Activity;
using Berth.Core.Data;
using Berth.Server.Api.Contracts;
using Berth.Server.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Berth.Server.Api;

internal static class MeEndpoints
{
    public static IEndpointRouteBuilder MapMeEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/me").WithTags("Me").RequireAuthorization(AuthenticationFeature.UserPolicy)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        group.MapGet("", GetAsync).WithName("GetMe");
        group.MapPost("/password", ChangePasswordAsync).WithName("ChangeMyPassword").ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/activity", GetActivityAsync).WithName("GetMyActivity").ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    private static async Task<Ok<MeResponse>> GetAsync(ClaimsPrincipal principal, AccountsService accounts, CancellationToken cancellationToken) =>
        TypedResults.Ok(MeResponse.From(await accounts.GetAsync(principal.UserId(), cancellationToken)));

    private static async Task<NoContent> ChangePasswordAsync(ChangePasswordRequest request, HttpContext context, AccountsService accounts, CancellationToken cancellationToken)
    {
        await accounts.ChangePasswordAsync(
            context.User.UserId(),
            context.User.SessionId(),
            Fields.Required(request.CurrentPassword, "currentPassword"),
            Fields.Required(request.NewPassword, "newPassword"),
            context.ClientAddress(),
            cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<ActivityPage>> GetActivityAsync(ClaimsPrincipal principal, BerthDbContext db, int? page, int? pageSize, CancellationToken cancellationToken) =>
        TypedResults.Ok(await ActivityQuery.RunAsync(db, principal.UserId(), page, pageSize, cancellationToken));
}
