using Berth.Core.Activity;
using Berth.Core.Data;
using Berth.Server.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Berth.Server.Api;

internal static class ActivityEndpoints
{
    public static IEndpointRouteBuilder MapActivityEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/activity", ListAsync).WithName("ListActivity").WithTags("Activity")
            .RequireAuthorization(AuthenticationFeature.AdminPolicy)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        return app;
    }

    private static async Task<Ok<ActivityPage>> ListAsync(BerthDbContext db, long? userId, int? page, int? pageSize, CancellationToken cancellationToken) =>
        TypedResults.Ok(await ActivityQuery.RunAsync(db, userId, page, pageSize, cancellationToken));
}
