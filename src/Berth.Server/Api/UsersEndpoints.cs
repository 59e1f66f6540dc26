using System.Security.Claims;
using Berth.Core.Accounts;
using Berth.Server.Api.Contracts;
using Berth.Server.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Berth.Server.Api;

internal static class UsersEndpoints
{
    public static IEndpointRouteBuilder MapUsersEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/users").WithTags("Users").RequireAuthorization(AuthenticationFeature.AdminPolicy)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapGet("", ListAsync).WithName("ListUsers");
        group.MapPost("", CreateAsync).WithName("CreateUser").ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/{id:long}", GetAsync).WithName("GetUser").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPatch("/{id:long}", UpdateAsync).WithName("UpdateUser")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("/{id:long}", DeleteAsync).WithName("DeleteUser").ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<Ok<List<UserSummaryResponse>>> ListAsync(UsersService users, CancellationToken cancellationToken) =>
        TypedResults.Ok((await users.ListAsync(cancellationToken)).Select(UserSummaryResponse.From).ToList());

    private static async Task<Created<UserResponse>> CreateAsync(CreateUserRequest request, ClaimsPrincipal principal, UsersService users, CancellationToken cancellationToken)
    {
        var user = await users.CreateAsync(
            principal.UserId(),
            Fields.Required(request.Email, "email"),
            Fields.Required(request.Password, "password"),
            request.Admin ?? false,
            cancellationToken,
            request.Enabled ?? true);
        return TypedResults.Created($"/api/users/{user.Id}", UserResponse.From(user));
    }

    private static async Task<Ok<UserDetailsResponse>> GetAsync(long id, UsersService users, CancellationToken cancellationToken) =>
        TypedResults.Ok(UserDetailsResponse.From(await users.GetAsync(id, cancellationToken)));

    private static async Task<Ok<UserResponse>> UpdateAsync(long id, UpdateUserRequest request, ClaimsPrincipal principal, UsersService users, CancellationToken cancellationToken)
    {
        var changes = new UserChanges(request.Email, request.Password, request.Admin, request.Enabled);
        return TypedResults.Ok(UserResponse.From(await users.UpdateAsync(principal.UserId(), id, changes, cancellationToken)));
    }

    private static async Task<NoContent> DeleteAsync(long id, ClaimsPrincipal principal, UsersService users, CancellationToken cancellationToken)
    {
        await users.DeleteAsync(principal.UserId(), id, cancellationToken);
        return TypedResults.NoContent();
    }
}
