using Berth.Core.Dashboard;
using Berth.Core.Data;
using Berth.Server.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Berth.Server.Api;

internal static class DashboardEndpoints
{
    public static IEndpointRouteBuilder MapDashboardEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/dashboard", GetAsync).WithName("GetDashboard").WithTags("Dashboard")
            .RequireAuthorization(AuthenticationFeature.AdminPolicy)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        return app;
    }

    /// <summary>The seed's query 4.3 figures.</summary>
    private static async Task<Ok<DashboardFigures>> GetAsync(BerthDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await DashboardFigures.RunAsync(db, cancellationToken));
}
